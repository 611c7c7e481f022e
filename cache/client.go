package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// The bounds on waiting for a cache: a cache that cannot be reached or
// does not answer is given up quickly, so that a prompt substituting a
// locked project never hangs on it. A transfer under way is not bounded
// in time, only in how long it may send nothing (stallTimeout). A cache
// given up is not asked again by the same Fetcher (Fetcher.givenUp).
// responseTimeout is a variable for the tests.
var (
	connectTimeout  = 5 * time.Second
	responseTimeout = 10 * time.Second
)

// stallTimeout is how long the body of a response may send nothing while
// it is read before the transfer is given up, as Nix gives up a stalled
// download: a server that stops in the middle of a layer is a failed
// transfer (the next substituter is tried), not a hang. A variable for
// the tests.
var stallTimeout = 30 * time.Second

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
	return &http.Client{Transport: &retry.Transport{Base: stallTransport{base}, Policy: func() retry.Policy { return retryPolicy }}}
}

// stallTransport gives up a response whose body sends nothing for
// stallTimeout while it is read (see stallBody).
type stallTransport struct{ base http.RoundTripper }

func (t stallTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &stallBody{body: resp.Body, cancel: cancel}
	return resp, nil
}

// stallBody is a response's body that fails with a stallError once a
// read has waited stallTimeout for the server: its request is cancelled,
// which closes the connection. Time spent between reads (the reader
// writing what it read) does not count.
type stallBody struct {
	body    io.ReadCloser
	cancel  context.CancelFunc
	stalled atomic.Bool
}

func (b *stallBody) Read(p []byte) (int, error) {
	if b.stalled.Load() {
		return 0, &stallError{After: stallTimeout}
	}
	t := time.AfterFunc(stallTimeout, func() {
		b.stalled.Store(true)
		b.cancel()
	})
	n, err := b.body.Read(p)
	if !t.Stop() && err != nil {
		err = &stallError{After: stallTimeout}
	}
	return n, err
}

func (b *stallBody) Close() error {
	b.cancel()
	return b.body.Close()
}

// stallError is a transfer given up because the server sent nothing for
// a while. It is a net.Error that timed out.
type stallError struct{ After time.Duration }

func (e *stallError) Error() string {
	return fmt.Sprintf("the transfer stalled: nothing received for %v", e.After)
}

func (e *stallError) Timeout() bool   { return true }
func (e *stallError) Temporary() bool { return true }

var _ net.Error = (*stallError)(nil)

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
			return nil, &DockerConfigError{File: dockerConfig, Err: err}
		}
		client.Credential = credentials.Credential(creds)
	}
	client.SetUserAgent("noxenv")
	repo.Client = client
	repo.PlainHTTP = plainHTTP
	return repo, nil
}

// DockerConfigError is a docker configuration file that cannot be read.
type DockerConfigError struct {
	File string
	Err  error
}

func (e *DockerConfigError) Error() string {
	return fmt.Sprintf("docker configuration %s: %v", e.File, e.Err)
}

func (e *DockerConfigError) Unwrap() error { return e.Err }

// Hint says how to get past it.
func (e *DockerConfigError) Hint() string {
	return fmt.Sprintf("fix or remove %s ('docker login' writes it), or point DOCKER_CONFIG at another directory", e.File)
}
