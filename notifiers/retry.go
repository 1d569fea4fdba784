package notifiers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// ErrPermanent marks a failure that trying again cannot fix: a rejected
// payload, a bad token, a missing channel. Test for it with errors.Is or
// IsPermanent; mark an error with Permanent.
var ErrPermanent = errors.New("permanent failure")

// Permanent marks err as a failure that trying again cannot fix. The result
// still unwraps to err. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() error        { return e.err }
func (e *permanentError) Is(target error) bool { return target == ErrPermanent }

// IsPermanent reports whether err, or an error it wraps, is marked
// permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// RetryAfterError is a rate limit: the receiver asked to wait Delay before
// trying again (HTTP 429 with Retry-After).
type RetryAfterError struct {
	Delay time.Duration
	Err   error
}

// Error says what failed and how long the receiver asked to wait.
func (e *RetryAfterError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("rate limited; retry after %s", e.Delay)
	}
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.Delay)
}

// Unwrap returns the underlying error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns the delay of the first RetryAfterError in err's chain.
func RetryAfter(err error) (time.Duration, bool) {
	if e, ok := errors.AsType[*RetryAfterError](err); ok {
		return e.Delay, true
	}
	return 0, false
}

// RetryPolicy says how Retry tries a delivery again. Zero fields take the
// Default values.
type RetryPolicy struct {
	// Attempts is the most calls of the inner notifier, the first included.
	Attempts int
	// Min and Max bound the backoff: the wait before retry k (k = 1, 2, …)
	// is drawn uniformly from [Min, min(Max, Min·2^k)] ("full jitter").
	Min, Max time.Duration
	// MaxWait is the longest rate-limit delay Retry waits out itself; a
	// longer one ends the retries with retry=true and the RetryAfterError,
	// so that the caller can schedule the delivery later.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done, returning ctx's error then.
	// Tests inject one that records d and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand is the jitter source; nil uses the global one. Seed it for
	// reproducible waits. Retry serialises its use.
	Rand rand.Source
	// Logger, when set, gets a warning per retry whose error differs from
	// the previous one.
	Logger *slog.Logger
}

// Defaults of RetryPolicy's zero fields.
const (
	DefaultAttempts = 5
	DefaultMin      = 1 * time.Second
	DefaultMax      = 30 * time.Second
	DefaultMaxWait  = 1 * time.Minute
)

// Retry returns a Notifier that calls n again while it fails with
// retry=true, waiting between attempts as p says: a rate limit's delay
// exactly, otherwise an exponential backoff with full jitter. It stops
// early when ctx is done. A permanent error (IsPermanent) is never tried
// again and always reports retry=false. When it gives up on a failure
// worth retrying it reports retry=true with the last error, so that the
// caller can try again later.
func Retry(n Notifier, p RetryPolicy) Notifier {
	r := &retrier{next: n, p: p.withDefaults()}
	if p.Rand != nil {
		r.rnd = rand.New(p.Rand)
	}
	return r
}

// WithRetry is Retry as a wrapper for Chain.
func WithRetry(p RetryPolicy) func(Notifier) Notifier {
	return func(n Notifier) Notifier { return Retry(n, p) }
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = DefaultAttempts
	}
	if p.Min <= 0 {
		p.Min = DefaultMin
	}
	if p.Max <= 0 {
		p.Max = DefaultMax
	}
	p.Max = max(p.Max, p.Min)
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.Sleep == nil {
		p.Sleep = Sleep
	}
	return p
}

type retrier struct {
	next Notifier
	p    RetryPolicy
	mu   sync.Mutex // guards rnd
	rnd  *rand.Rand
}

func (r *retrier) Unwrap() Notifier { return r.next }

func (r *retrier) Notify(ctx context.Context, a Alert) (bool, error) {
	var last string
	for attempt := 1; ; attempt++ {
		retry, err := r.next.Notify(ctx, a)
		switch {
		case err == nil:
			return false, nil
		case !retry || IsPermanent(err):
			return false, err
		case attempt >= r.p.Attempts:
			return true, fmt.Errorf("gave up after %s: %w", attempts(attempt), err)
		}
		wait, limited := RetryAfter(err)
		if limited && wait > r.p.MaxWait {
			return true, fmt.Errorf("rate limited for longer than %s: %w", r.p.MaxWait, err)
		}
		if !limited {
			wait = r.backoff(attempt)
		}
		if msg := err.Error(); r.p.Logger != nil && msg != last {
			last = msg
			r.p.Logger.Warn("delivery failed; retrying", "err", err, "attempt", attempt, "wait", wait)
		}
		if serr := r.p.Sleep(ctx, wait); serr != nil {
			return true, fmt.Errorf("stopped after %s: %w: %w", attempts(attempt), serr, err)
		}
	}
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// backoff returns the wait before retry k: uniform in [Min, min(Max, Min·2^k)].
func (r *retrier) backoff(k int) time.Duration {
	ceiling := r.p.Min
	for i := 0; i < k && ceiling < r.p.Max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, r.p.Max)
	span := int64(ceiling - r.p.Min)
	if span <= 0 {
		return r.p.Min
	}
	if r.rnd == nil {
		return r.p.Min + time.Duration(rand.Int64N(span+1))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p.Min + time.Duration(r.rnd.Int64N(span+1))
}

// Sleep waits d or until ctx is done, whichever comes first, and returns
// ctx's error in the second case. It is RetryPolicy's default Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Timeout returns a Notifier that gives each call of n at most d; n must
// stop when its context is done, as every Notifier does. A call cut short
// by it, unless n called its error permanent, reports retry=true and an error that wraps
// context.DeadlineExceeded; a deadline of ctx itself passes through as is.
func Timeout(n Notifier, d time.Duration) Notifier {
	return &timeout{next: n, d: d}
}

// WithTimeout is Timeout as a wrapper for Chain.
func WithTimeout(d time.Duration) func(Notifier) Notifier {
	return func(n Notifier) Notifier { return Timeout(n, d) }
}

type timeout struct {
	next Notifier
	d    time.Duration
}

func (t *timeout) Unwrap() Notifier { return t.next }

func (t *timeout) Notify(ctx context.Context, a Alert) (bool, error) {
	tctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	retry, err := t.next.Notify(tctx, a)
	if err != nil && !IsPermanent(err) && ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %w", err, context.DeadlineExceeded)
		}
		return true, fmt.Errorf("timed out after %s: %w", t.d, err)
	}
	return retry, err
}

// Chain wraps n in wrappers, the first outermost, as cron's Chain does:
// Chain(n, WithRetry(p), WithTimeout(d)) retries calls that each get d.
func Chain(n Notifier, wrappers ...func(Notifier) Notifier) Notifier {
	for i := len(wrappers) - 1; i >= 0; i-- {
		n = wrappers[i](n)
	}
	return n
}

// AsProber finds a Prober in n or in the notifiers it wraps (those with an
// Unwrap() Notifier method, as Retry's and Timeout's results have).
func AsProber(n Notifier) (Prober, bool) {
	for n != nil {
		if p, ok := n.(Prober); ok {
			return p, true
		}
		u, ok := n.(interface{ Unwrap() Notifier })
		if !ok {
			return nil, false
		}
		n = u.Unwrap()
	}
	return nil, false
}
