package notifiers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"vigil/notifiers"
)

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// waiter blocks until its context is done and reports the context's error
// with the retry verdict given.
func waiter(retry bool, wrap func(error) error) notifiers.Notifier {
	return notifiers.NotifierFunc(func(ctx context.Context, a notifiers.Alert) (bool, error) {
		<-ctx.Done()
		return retry, wrap(fmt.Errorf("post: %w", ctx.Err()))
	})
}

func same(err error) error { return err }

func TestTimeout(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		inner     notifiers.Notifier
		ctx       context.Context
		retry     bool
		is        error // the error must wrap it; nil: success
		timedOut  bool  // the message says the wrapper cut the call short
		permanent bool
	}{
		{name: "fast", inner: notifiers.NotifierFunc(func(context.Context, notifiers.Alert) (bool, error) { return false, nil }),
			ctx: context.Background()},
		{name: "slow, said not to retry", inner: waiter(false, same), ctx: context.Background(),
			retry: true, is: context.DeadlineExceeded, timedOut: true},
		{name: "slow, error hides the deadline", inner: waiter(false, func(error) error { return errors.New("conn closed") }),
			ctx: context.Background(), retry: true, is: context.DeadlineExceeded, timedOut: true},
		{name: "slow, permanent", inner: waiter(false, notifiers.Permanent), ctx: context.Background(),
			retry: false, is: notifiers.ErrPermanent, permanent: true},
		{name: "caller cancelled", inner: waiter(true, same), ctx: cancelled, retry: true, is: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, err := notifiers.Timeout(tt.inner, time.Millisecond).Notify(tt.ctx, notifiers.Alert{})
			if retry != tt.retry {
				t.Errorf("Notify() retry = %v, want %v", retry, tt.retry)
			}
			if tt.is == nil && err != nil || tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Notify() error = %v, want one wrapping %v", err, tt.is)
			}
			if got := err != nil && strings.Contains(err.Error(), "timed out after 1ms"); got != tt.timedOut {
				t.Errorf("Notify() error = %v; says it timed out: %v, want %v", err, got, tt.timedOut)
			}
			if got := notifiers.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
		})
	}
}

// tag returns a wrapper that appends name to the trace on the way in.
func tag(trace *[]string, name string) func(notifiers.Notifier) notifiers.Notifier {
	return func(n notifiers.Notifier) notifiers.Notifier {
		return notifiers.NotifierFunc(func(ctx context.Context, a notifiers.Alert) (bool, error) {
			*trace = append(*trace, name)
			return n.Notify(ctx, a)
		})
	}
}

func TestChain(t *testing.T) {
	tests := []struct {
		name  string
		wraps []string
		want  string
	}{
		{"none", nil, "inner"},
		{"one", []string{"a"}, "a inner"},
		{"first is outermost", []string{"a", "b", "c"}, "a b c inner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trace []string
			inner := notifiers.NotifierFunc(func(context.Context, notifiers.Alert) (bool, error) {
				trace = append(trace, "inner")
				return false, nil
			})
			var ws []func(notifiers.Notifier) notifiers.Notifier
			for _, w := range tt.wraps {
				ws = append(ws, tag(&trace, w))
			}
			notifiers.Chain(inner, ws...).Notify(context.Background(), notifiers.Alert{})
			if got := strings.Join(trace, " "); got != tt.want {
				t.Errorf("calls = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestChainRetryTimeout gives each attempt its own deadline: the first
// attempt times out, the second succeeds.
func TestChainRetryTimeout(t *testing.T) {
	var calls int
	inner := notifiers.NotifierFunc(func(ctx context.Context, a notifiers.Alert) (bool, error) {
		calls++
		if calls == 1 {
			<-ctx.Done()
			return false, ctx.Err()
		}
		return false, ctx.Err()
	})
	var sl sleeps
	n := notifiers.Chain(inner,
		notifiers.WithRetry(notifiers.RetryPolicy{Attempts: 3, Sleep: sl.Sleep}),
		notifiers.WithTimeout(time.Millisecond))
	if retry, err := n.Notify(context.Background(), notifiers.Alert{}); retry || err != nil || calls != 2 {
		t.Errorf("Notify() = %v, %v after %d calls; want false, nil after 2", retry, err, calls)
	}
}

func TestErrors(t *testing.T) {
	base := errors.New("status 400: bad payload")
	if notifiers.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	perm := fmt.Errorf("webhook: %w", notifiers.Permanent(base))
	if !notifiers.IsPermanent(perm) || !errors.Is(perm, base) || perm.Error() != "webhook: status 400: bad payload" {
		t.Errorf("Permanent: got %q, permanent %v, wraps base %v", perm, notifiers.IsPermanent(perm), errors.Is(perm, base))
	}
	if notifiers.IsPermanent(base) || notifiers.IsPermanent(nil) {
		t.Error("IsPermanent of an unmarked error or nil = true")
	}

	rl := fmt.Errorf("webhook: %w", &notifiers.RetryAfterError{Delay: 30 * time.Second, Err: errors.New("status 429")})
	if d, ok := notifiers.RetryAfter(rl); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter(%v) = %v, %v; want 30s, true", rl, d, ok)
	}
	if want := "webhook: status 429 (retry after 30s)"; rl.Error() != want {
		t.Errorf("error = %q, want %q", rl, want)
	}
	if _, ok := notifiers.RetryAfter(base); ok {
		t.Errorf("RetryAfter(%v) found a delay", base)
	}
	if got := (&notifiers.RetryAfterError{Delay: time.Second}).Error(); got != "rate limited; retry after 1s" {
		t.Errorf("RetryAfterError without Err = %q", got)
	}
}

type prober struct{ notifiers.Notifier }

func (prober) Delivered(context.Context, string) (bool, error) { return true, nil }

func TestAsProber(t *testing.T) {
	plain := notifiers.NotifierFunc(func(context.Context, notifiers.Alert) (bool, error) { return false, nil })
	p := prober{plain}
	tests := []struct {
		name string
		n    notifiers.Notifier
		want bool
	}{
		{"plain", plain, false},
		{"nil", nil, false},
		{"prober", p, true},
		{"wrapped prober", notifiers.Chain(p, notifiers.WithRetry(notifiers.RetryPolicy{}), notifiers.WithTimeout(time.Second)), true},
		{"wrapped plain", notifiers.Chain(plain, notifiers.WithRetry(notifiers.RetryPolicy{}), notifiers.WithTimeout(time.Second)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := notifiers.AsProber(tt.n); got != tt.want {
				t.Errorf("AsProber(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
