package cache

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/noxenv/noxenv/store"
)

// Error is a cache's failure, about an entry when Entry is set.
type Error struct {
	Cache string
	Entry string
	Err   error
}

func (e *Error) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("cache %s: %v", e.Cache, e.Err)
	}
	return fmt.Sprintf("cache %s: entry %s: %v", e.Cache, e.Entry, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Hint says what would help, by the kind of failure: the failure's own
// hint when it has one (an entry that works only at its store's path).
func (e *Error) Hint() string {
	var recv *store.ReceiveError
	var tar *store.TarballError
	var none *noCacheError
	var hinted interface{ Hint() string }
	switch status := statusOf(e.Err); {
	case errors.As(e.Err, &hinted) && hinted.Hint() != "":
		return hinted.Hint()
	case errors.As(e.Err, &none) && none.webServer:
		return "check the URL, and that the web server lists directories (as nginx's autoindex does); a push to the directory it serves makes the cache"
	case errors.As(e.Err, &none):
		return fmt.Sprintf("check the URL; 'noxenv cache push %s PKG' makes the cache", e.Cache)
	case errors.Is(e.Err, ErrNotFound) || errors.Is(e.Err, errdef.ErrNotFound) || status == http.StatusNotFound:
		if e.Entry != "" {
			return fmt.Sprintf("'noxenv cache push %s %s' on a machine that has it puts it there", e.Cache, e.Entry)
		}
		return fmt.Sprintf("'noxenv cache list %s' shows what it holds", e.Cache)
	case CredentialsHint(e.Err) != "":
		return CredentialsHint(e.Err)
	case notTLS(e.Err):
		plain := strings.Replace(strings.Replace(e.Cache, "oci://", "oci+http://", 1), "https://", "http://", 1)
		return fmt.Sprintf("the server does not speak TLS: for one over plain HTTP, write %s", plain)
	case errors.Is(e.Err, errHTML):
		return "check the URL: it must name the cache's directory (which holds entries/ and blobs/), and the server must serve it without a login page"
	case errors.As(e.Err, &recv) || errors.As(e.Err, &tar) || errors.Is(e.Err, errVerify):
		return "the cache holds a damaged or forged copy: push the entry again from a machine that has it"
	case errors.Is(e.Err, errReadOnly):
		return "push to the directory the web server serves, as file:///DIR"
	case isUnreachable(e.Err) || errors.Is(e.Err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("check that %s is up and reachable, or take it out of the substituters setting (NOXENV_SUBSTITUTERS)", e.Cache)
	}
	return ""
}

// CredentialsHint says how to log in when err is a registry refusing
// noxenv's credentials, or that it has none, or a credential helper of
// the docker configuration that is not installed; otherwise it is "".
func CredentialsHint(err error) string {
	var helper *exec.Error
	if errors.As(err, &helper) && errors.Is(helper.Err, exec.ErrNotFound) {
		return fmt.Sprintf("install %s, the credential helper the docker configuration names (credsStore or credHelpers), or take it out of the configuration", helper.Name)
	}
	if s := statusOf(err); s == http.StatusUnauthorized || s == http.StatusForbidden || errors.Is(err, auth.ErrBasicCredentialNotFound) {
		return "log in with 'docker login' (noxenv takes registry credentials from $DOCKER_CONFIG/config.json or ~/.docker/config.json)"
	}
	return ""
}

// errVerify is wrapped by the refusals of what a cache sent.
var errVerify = errors.New("refused")

// errHTML is a page of HTML where a manifest should be: a web server's
// login or error page, or a URL that is not a cache's.
var errHTML = errors.New("the server answered a page of HTML, not a manifest")

// isHTML reports whether data looks like a page of HTML.
func isHTML(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("<"))
}

// notTLS reports whether err is a server that answered a TLS handshake
// without TLS: net/http's own error for one that answered in plain HTTP
// is not a type of its own.
func notTLS(err error) bool {
	return errors.As(err, new(tls.RecordHeaderError)) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// errReadOnly is a push to a cache over HTTP.
var errReadOnly = errors.New("a cache served over HTTP is read-only")

// statusError is an HTTP status that a request did not expect.
type statusError struct {
	URL    string
	Status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// statusOf returns the HTTP status of a failed request, or 0.
func statusOf(err error) int {
	var se *statusError
	var er *errcode.ErrorResponse
	switch {
	case errors.As(err, &se):
		return se.Status
	case errors.As(err, &er):
		return er.StatusCode
	}
	return 0
}

// isUnreachable reports whether err says the cache could not be reached.
func isUnreachable(err error) bool {
	var op *net.OpError
	var ne net.Error
	return errors.As(err, &op) || (errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, context.DeadlineExceeded)
}

// FetchError is an entry that no cache could give.
type FetchError struct {
	Entry string
	// Of is the entry that references it, when it was not asked for.
	Of string
	// Errs are each cache's failure, in the order they were tried.
	Errs []*Error
}

func (e *FetchError) Error() string {
	of := ""
	if e.Of != "" {
		of = " (a reference of " + e.Of + ")"
	}
	if len(e.Errs) == 1 {
		return e.Errs[0].Error() + of
	}
	var b strings.Builder
	fmt.Fprintf(&b, "entry %s%s: no substituter could give it:", e.Entry, of)
	for _, ce := range e.Errs {
		fmt.Fprintf(&b, "\n  %s", ce.Error())
	}
	return b.String()
}

// Hint is the first cache's.
func (e *FetchError) Hint() string {
	for _, ce := range e.Errs {
		if h := ce.Hint(); h != "" {
			return h
		}
	}
	return ""
}

func (e *FetchError) Unwrap() []error {
	errs := make([]error, len(e.Errs))
	for i, ce := range e.Errs {
		errs[i] = ce
	}
	return errs
}
