package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Download writes the content of the http or https URL rawURL to w,
// following redirects (fetchurl's network side). A status other than 200
// is an error.
func Download(ctx context.Context, rawURL string, w io.Writer) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%s: not an http or https URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	resp, err := NewHTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{URL: rawURL, Status: resp.StatusCode}
	}
	n, err := io.Copy(w, resp.Body)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		of := ""
		if resp.ContentLength >= 0 {
			of = fmt.Sprintf(" of %d", resp.ContentLength)
		}
		return fmt.Errorf("the transfer broke off after %d%s bytes: %w", n, of, err)
	}
	return err
}
