package cache

import (
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// The bounds on waiting for a cache: a cache that cannot be reached or
// does not answer is given up quickly, so that a prompt substituting a
// locked project never hangs on it. A transfer under way is not bounded.
const (
	connectTimeout  = 5 * time.Second
	responseTimeout = 10 * time.Second
)

// retryPolicy retries what a busy or restarting server answers (429, 408
// and 5xx, a connection reset) with exponential backoff; not a server
// that cannot be reached, which is given up at once.
var retryPolicy retry.Policy = &retry.GenericPolicy{
	Retryable: func(resp *http.Response, err error) (bool, error) {
		if err != nil {
			return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF), nil
		}
		s := resp.StatusCode
		return s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500, nil
	},
	Backoff:  retry.DefaultBackoff,
	MinWait:  200 * time.Millisecond,
	MaxWait:  3 * time.Second,
	MaxRetry: 5,
}

// NewHTTPClient returns the client noxenv talks to caches and registries
// with: bounded waits to connect and for an answer to begin, and retries
// with backoff on 429 and 5xx.
func NewHTTPClient() *http.Client {
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   connectTimeout,
		ResponseHeaderTimeout: responseTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   transfers,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: &retry.Transport{Base: base, Policy: func() retry.Policy { return retryPolicy }}}
}

// NewRepository returns a client of the registry repository ref
// (HOST[:PORT]/REPO; plainHTTP for a registry without TLS) that logs in
// with the credentials of the docker configuration file dockerConfig
// (its auths and credential helpers; "" for none), over NewHTTPClient.
func NewRepository(ref string, plainHTTP bool, dockerConfig string) (*remote.Repository, error) {
	repo, err := remote.NewRepository(ref)
	if err != nil {
		return nil, err
	}
	client := &auth.Client{Client: NewHTTPClient(), Cache: auth.NewCache()}
	if dockerConfig != "" {
		creds, err := credentials.NewStore(dockerConfig, credentials.StoreOptions{})
		if err != nil {
			return nil, err
		}
		client.Credential = credentials.Credential(creds)
	}
	client.SetUserAgent("noxenv")
	repo.Client = client
	repo.PlainHTTP = plainHTTP
	return repo, nil
}
