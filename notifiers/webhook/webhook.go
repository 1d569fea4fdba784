package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"vigil/notifiers"
)

// Defaults of Options' zero fields and of a rate limit without a usable
// Retry-After header.
const (
	DefaultTimeout    = 10 * time.Second
	DefaultRetryAfter = 10 * time.Second
)

// Options configure a webhook Notifier.
type Options struct {
	// URL is the http(s) address alerts are posted to. Its path, query and
	// user info may hold a token: errors and String show only its scheme
	// and host.
	URL string
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Headers are added to every request, e.g. Authorization. Their values
	// are never printed. Content-Type, Content-Length, Host, User-Agent and
	// Idempotency-Key are vigil's to set.
	Headers map[string]string
	// Client sends the requests; nil means a client of its own. Redirects
	// are never followed (a copy of Client is used): a webhook that moved
	// is a configuration to fix, and following would resend the body to a
	// new place.
	Client *http.Client
	// Version is vigil's version, for the User-Agent header; empty means
	// "dev".
	Version string
}

// Notifier posts alerts as JSON to a URL. It is safe for concurrent use.
//
// It does not implement notifiers.Prober: a webhook cannot be asked
// whether a delivery arrived. After a crash vigil sends the delivery again
// with the same Idempotency-Key, and receivers must drop a key they have
// already seen.
type Notifier struct {
	url     string
	target  string   // scheme://host, safe to print
	secrets []string // parts of the URL that must not be printed
	timeout time.Duration
	header  http.Header
	client  *http.Client
	now     func() time.Time // for an HTTP-date Retry-After without a Date header
}

var _ notifiers.Notifier = (*Notifier)(nil)

// New returns a Notifier posting to opts.URL, or an error naming what in
// opts is wrong (never the URL's secret parts or a header's value).
func New(opts Options) (*Notifier, error) {
	u, err := parseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("webhook %s: timeout %s is negative", target(u), opts.Timeout)
	}
	h, err := headers(opts.Headers, opts.Version)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: %w", target(u), err)
	}
	n := &Notifier{url: u.String(), target: target(u), secrets: secrets(u), timeout: opts.Timeout,
		header: h, client: noRedirects(opts.Client), now: time.Now}
	if n.timeout == 0 {
		n.timeout = DefaultTimeout
	}
	return n, nil
}

// quoted matches the quoted parts of url.Parse's messages, which are
// pieces of the URL.
var quoted = regexp.MustCompile(`"(\\.|[^"\\])*"`)

// parseURL checks raw without ever putting it, or a piece of it, in an
// error.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // url.Error repeats the whole URL
		}
		return nil, fmt.Errorf("webhook: url: %s", quoted.ReplaceAllString(err.Error(), "<secret>"))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("webhook: url: not an http(s) URL with a host")
	}
	return u, nil
}

// target is the part of u that is safe to print.
func target(u *url.URL) string { return u.Scheme + "://" + u.Host }

func noRedirects(c *http.Client) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// String names the notifier without the URL's secret parts.
func (n *Notifier) String() string { return "webhook " + n.target }

// GoString is String, so that %#v does not print the URL either.
func (n *Notifier) GoString() string { return n.String() }

// Notify posts a. It reports retry=true for failures that may pass (a
// network error, a timeout, 408, 429 as a *notifiers.RetryAfterError, 5xx)
// and a permanent error (notifiers.IsPermanent) for the rest.
func (n *Notifier) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	key := headerKey(a.DeliveryKey())
	body, err := NewPayload(a, key).Encode()
	if err != nil {
		return false, n.errorf(notifiers.Permanent(fmt.Errorf("encode alert %q: %w", a.ID, err)))
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return false, n.errorf(notifiers.Permanent(errors.New("cannot build the request")))
	}
	req.Header = n.header.Clone()
	req.Header.Set("Idempotency-Key", key)
	resp, err := n.client.Do(req)
	if err != nil {
		return true, n.transportError(err)
	}
	defer drain(resp.Body)
	return n.classify(resp)
}

// transportError strips the URL that net/http puts in its errors.
func (n *Notifier) transportError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return n.errorf(fmt.Errorf("no answer in time (timeout %s): %w", n.timeout, err))
	}
	return n.errorf(fmt.Errorf("post: %w", err))
}

// classify turns a response into Notify's result.
func (n *Notifier) classify(resp *http.Response) (bool, error) {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return false, nil
	case code == http.StatusTooManyRequests:
		delay := retryAfter(resp.Header, n.now())
		return true, &notifiers.RetryAfterError{Delay: delay, Err: n.statusError(resp, "")}
	case code == http.StatusRequestTimeout || code >= 500:
		return true, n.statusError(resp, "")
	case code >= 300 && code < 400:
		return false, notifiers.Permanent(n.statusError(resp, "redirects are not followed; set url to the final address"))
	}
	return false, notifiers.Permanent(n.statusError(resp, ""))
}

// statusError describes a failed response with the start of its body.
func (n *Notifier) statusError(resp *http.Response, hint string) error {
	msg := resp.Status
	if snippet := n.snippet(resp.Body); snippet != "" {
		msg += ": " + fmt.Sprintf("%q", snippet)
	}
	if hint != "" {
		msg += " (" + hint + ")"
	}
	return n.errorf(errors.New(msg))
}

func (n *Notifier) errorf(err error) error { return fmt.Errorf("webhook %s: %w", n.target, err) }

// maxDrain bounds how much of a response is read before closing it.
const maxDrain = 64 << 10

func drain(body io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	body.Close()
}

// headerKey returns key as an Idempotency-Key header value: as is when it
// is short printable ASCII, else a hash of it, stable all the same.
func headerKey(key string) string {
	ok := len(key) > 0 && len(key) <= 200
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if ok {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "vigil-" + hex.EncodeToString(sum[:16])
}
