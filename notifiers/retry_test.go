package notifiers_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/notifiers"
)

// result is one scripted answer of a fake notifier.
type result struct {
	retry bool
	err   error
}

// script answers calls with results in order, repeating the last one.
type script struct {
	mu      sync.Mutex
	results []result
	calls   int
}

func (s *script) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.results[min(s.calls, len(s.results)-1)]
	s.calls++
	return r.retry, r.err
}

// sleeps records the waits asked of it and returns at once.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

var (
	errBusy   = errors.New("status 500")
	errDenied = errors.New("status 400")
	ok        = result{false, nil}
	busy      = result{true, errBusy}
)

func limited(d time.Duration) result {
	return result{true, &notifiers.RetryAfterError{Delay: d, Err: errors.New("status 429")}}
}

// span is the range a wait must fall in; lo == hi asks for an exact wait.
type span struct{ lo, hi time.Duration }

func exactly(d time.Duration) span { return span{d, d} }

func TestRetry(t *testing.T) {
	const min, max = time.Second, 8 * time.Second
	backoff1, backoff2 := span{min, 2 * min}, span{min, 4 * min}
	tests := []struct {
		name      string
		results   []result
		policy    notifiers.RetryPolicy
		calls     int
		retry     bool
		wantErr   error // nil: success
		waits     []span
		permanent bool
	}{
		{name: "success", results: []result{ok}, calls: 1},
		{name: "500 then success", results: []result{busy, ok}, calls: 2, waits: []span{backoff1}},
		{name: "500 until attempts run out", results: []result{busy}, policy: notifiers.RetryPolicy{Attempts: 3},
			calls: 3, retry: true, wantErr: errBusy, waits: []span{backoff1, backoff2}},
		{name: "default attempts", results: []result{busy}, calls: notifiers.DefaultAttempts, retry: true, wantErr: errBusy,
			waits: []span{backoff1, backoff2, {min, max}, {min, max}}},
		{name: "retry false", results: []result{{false, errDenied}, ok}, calls: 1, wantErr: errDenied},
		{name: "permanent with retry true", results: []result{{true, notifiers.Permanent(errDenied)}, ok},
			calls: 1, wantErr: errDenied, permanent: true},
		{name: "wrapped permanent", results: []result{{true, fmt.Errorf("post: %w", notifiers.Permanent(errDenied))}, ok},
			calls: 1, wantErr: errDenied, permanent: true},
		{name: "rate limit honoured exactly", results: []result{limited(7 * time.Second), ok}, calls: 2,
			waits: []span{exactly(7 * time.Second)}},
		{name: "rate limits of zero and 3ms", results: []result{limited(0), limited(3 * time.Millisecond), ok}, calls: 3,
			waits: []span{exactly(0), exactly(3 * time.Millisecond)}},
		{name: "rate limit at max wait", results: []result{limited(time.Minute), ok}, policy: notifiers.RetryPolicy{MaxWait: time.Minute},
			calls: 2, waits: []span{exactly(time.Minute)}},
		{name: "rate limit beyond max wait", results: []result{limited(2 * time.Minute), ok}, policy: notifiers.RetryPolicy{MaxWait: time.Minute},
			calls: 1, retry: true, wantErr: errLimited},
		{name: "rate limit then 500", results: []result{limited(20 * time.Second), busy, ok}, calls: 3,
			waits: []span{exactly(20 * time.Second), backoff2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{results: tt.results}
			var sl sleeps
			p := tt.policy
			p.Min, p.Max, p.Sleep, p.Rand = min, max, sl.Sleep, rand.NewPCG(1, 2)
			retry, err := notifiers.Retry(s, p).Notify(context.Background(), notifiers.Alert{ID: "a"})
			if s.calls != tt.calls {
				t.Errorf("Notify called the inner notifier %d times, want %d", s.calls, tt.calls)
			}
			if retry != tt.retry {
				t.Errorf("Notify() retry = %v, want %v", retry, tt.retry)
			}
			checkErr(t, err, tt.wantErr)
			if got := notifiers.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			if len(sl.d) != len(tt.waits) {
				t.Fatalf("waits = %v, want %v", sl.d, tt.waits)
			}
			for i, w := range tt.waits {
				if d := sl.d[i]; d < w.lo || d > w.hi {
					t.Errorf("wait %d = %v, want within [%v, %v]", i+1, d, w.lo, w.hi)
				}
			}
		})
	}
}

// errLimited stands for the rate-limit error of a script: checkErr wants a
// *RetryAfterError then.
var errLimited = errors.New("a rate limit")

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("Notify() error = %v, want nil", err)
	case want == errLimited:
		if _, ok := notifiers.RetryAfter(err); !ok {
			t.Errorf("Notify() error = %v, want a *RetryAfterError in its chain", err)
		}
	case want != nil && !errors.Is(err, want):
		t.Errorf("Notify() error = %v, want one wrapping %v", err, want)
	}
}

// TestRetryBackoffBounds draws many backoffs and checks that retry k waits
// within [Min, min(Max, Min·2^k)] and uses the whole range.
func TestRetryBackoffBounds(t *testing.T) {
	const min, max, attempts, runs = 100 * time.Millisecond, 3 * time.Second, 8, 400
	var sl sleeps
	r := notifiers.Retry(&script{results: []result{busy}}, notifiers.RetryPolicy{
		Attempts: attempts, Min: min, Max: max, Sleep: sl.Sleep, Rand: rand.NewPCG(7, 7),
	})
	for range runs {
		r.Notify(context.Background(), notifiers.Alert{})
	}
	if len(sl.d) != runs*(attempts-1) {
		t.Fatalf("%d waits, want %d", len(sl.d), runs*(attempts-1))
	}
	for k := 1; k < attempts; k++ {
		ceiling := time.Duration(float64(min) * float64(int(1)<<k))
		if ceiling > max {
			ceiling = max
		}
		lo, hi := ceiling, time.Duration(0)
		for run := range runs {
			d := sl.d[run*(attempts-1)+k-1]
			if d < min || d > ceiling {
				t.Fatalf("retry %d waited %v, want within [%v, %v]", k, d, min, ceiling)
			}
			lo, hi = mn(lo, d), mx(hi, d)
		}
		// Uniform draws: with 400 of them the extremes lie within 5% of
		// the range's ends unless the draw is not uniform over it.
		span := ceiling - min
		if lo > min+span/20 || hi < ceiling-span/20 {
			t.Errorf("retry %d waits span [%v, %v], want close to [%v, %v]", k, lo, hi, min, ceiling)
		}
	}
}

func mn(a, b time.Duration) time.Duration { return min(a, b) }
func mx(a, b time.Duration) time.Duration { return max(a, b) }

func TestRetrySeededJitterRepeats(t *testing.T) {
	run := func(seed uint64) string {
		var sl sleeps
		r := notifiers.Retry(&script{results: []result{busy}}, notifiers.RetryPolicy{
			Attempts: 6, Min: time.Millisecond, Max: time.Second, Sleep: sl.Sleep, Rand: rand.NewPCG(seed, 0),
		})
		r.Notify(context.Background(), notifiers.Alert{})
		return fmt.Sprint(sl.d)
	}
	if a, b := run(1), run(1); a != b {
		t.Errorf("waits with the same seed = %s and %s, want equal", a, b)
	}
	if a, b := run(1), run(2); a == b {
		t.Errorf("waits with seeds 1 and 2 are both %s, want different", a)
	}
}

// TestRetryStopsWhenContextDone uses the real Sleep with an hour of
// backoff: Retry must return as soon as the context is cancelled.
func TestRetryStopsWhenContextDone(t *testing.T) {
	tests := []struct {
		name         string
		cancelInside bool // cancel during the first call rather than during the wait
	}{
		{"cancelled during a call", true},
		{"cancelled during the wait", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			called := make(chan struct{}, 10)
			var calls int
			inner := notifiers.NotifierFunc(func(ctx context.Context, a notifiers.Alert) (bool, error) {
				calls++
				if tt.cancelInside {
					cancel()
				}
				called <- struct{}{}
				return true, errBusy
			})
			r := notifiers.Retry(inner, notifiers.RetryPolicy{Attempts: 3, Min: time.Hour, Max: time.Hour})
			type out struct {
				retry bool
				err   error
			}
			done := make(chan out)
			go func() {
				retry, err := r.Notify(ctx, notifiers.Alert{})
				done <- out{retry, err}
			}()
			<-called
			cancel()
			select {
			case o := <-done:
				if !o.retry || !errors.Is(o.err, context.Canceled) || !errors.Is(o.err, errBusy) {
					t.Errorf("Notify() = %v, %v; want true and an error wrapping context.Canceled and %v", o.retry, o.err, errBusy)
				}
				if calls != 1 {
					t.Errorf("inner notifier called %d times, want 1", calls)
				}
			case <-time.After(time.Minute):
				t.Fatal("Notify did not return after its context was cancelled")
			}
		})
	}
}

func TestSleep(t *testing.T) {
	if err := notifiers.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := notifiers.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(cancelled, 1h) = %v, want context.Canceled", err)
	}
}

// TestRetryConcurrent shares one retrier and one seeded source between
// goroutines; run with -race.
func TestRetryConcurrent(t *testing.T) {
	var sl sleeps
	s := &script{results: []result{busy, busy, ok}}
	r := notifiers.Retry(s, notifiers.RetryPolicy{Attempts: 3, Sleep: sl.Sleep, Rand: rand.NewPCG(3, 4)})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { r.Notify(context.Background(), notifiers.Alert{}) })
	}
	wg.Wait()
	if s.calls < 8 || s.calls > 24 {
		t.Errorf("inner notifier called %d times by 8 deliveries of up to 3 attempts", s.calls)
	}
}

func TestRetryLogsEachDistinctErrorOnce(t *testing.T) {
	var buf strings.Builder
	log := newTextLogger(&buf)
	s := &script{results: []result{busy, busy, busy, {true, errors.New("status 503")}, ok}}
	var sl sleeps
	notifiers.Retry(s, notifiers.RetryPolicy{Attempts: 5, Sleep: sl.Sleep, Logger: log}).Notify(context.Background(), notifiers.Alert{})
	if got := strings.Count(buf.String(), "retrying"); got != 2 {
		t.Errorf("logged %d retry warnings, want 2 (one per distinct error):\n%s", got, buf.String())
	}
}
