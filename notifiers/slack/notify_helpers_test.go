package slack

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"vigil/notifiers/slack/slacktest"
)

const (
	testToken    = "xoxb-1234-5678-SECRETsecretSECRET"
	testAppToken = "xapp-1-A1-2-SECRETappSECRET"
	alertsID     = "C0ALERTS1"
)

// fakeClock stands still and records the waits asked of it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// fixture is a notifier wired to a fake Slack.
type fixture struct {
	srv   *slacktest.Server
	n     *Notifier
	clock *fakeClock
	logs  *syncBuffer
	opts  Options
}

// newFixture starts a fake Slack with #alerts (the bot a member) and
// #private-ops (not a member), and a notifier posting to #alerts.
func newFixture(t *testing.T, edit func(*Options)) *fixture {
	t.Helper()
	srv := slacktest.New(t, testToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	srv.AddChannel(slacktest.Channel{ID: "C0CRIT001", Name: "critical", Member: true})
	srv.AddChannel(slacktest.Channel{ID: "C0OUTSIDE", Name: "outside"})
	clock := &fakeClock{now: t0.Add(time.Hour)}
	logs := &syncBuffer{}
	opts := Options{
		Token: testToken, Channel: "#alerts", APIURL: srv.APIURL(),
		Mentions: map[string]string{"@growth-oncall": "S0GROWTH"}, ConfigPath: "vigil.yaml",
		Clock: clock, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Jitter: func() float64 { return 0.5 },
	}
	if edit != nil {
		edit(&opts)
	}
	n, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &fixture{srv: srv, n: n, clock: clock, logs: logs, opts: opts}
}

// restart is a new notifier on the same fake Slack, as after a crash:
// threads start empty unless given.
func (f *fixture) restart(t *testing.T, threads Threads) *Notifier {
	t.Helper()
	opts := f.opts
	opts.Threads = threads
	n, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// noRejections fails the test when the fake refused a message.
func (f *fixture) noRejections(t *testing.T) {
	t.Helper()
	if r := f.srv.Rejections(); len(r) > 0 {
		t.Errorf("fake Slack rejected messages:\n%v", r)
	}
}

// failingThreads fails SaveThread the first times, as a crash between
// posting and recording would.
type failingThreads struct {
	*MemoryThreads
	fails int
}

func (f *failingThreads) SaveThread(ctx context.Context, id, ch, ts string) error {
	if f.fails > 0 {
		f.fails--
		return errors.New("state store: disk full")
	}
	return f.MemoryThreads.SaveThread(ctx, id, ch, ts)
}

func slacktestFault(code string) slacktest.Fault { return slacktest.Fault{Error: code} }

// syncBuffer is a log sink that tests read while the listener writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
