package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vigil/notifiers/slack/slacktest"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		faults    []slacktest.Fault
		wantWaits []time.Duration
		wantErr   bool
		wantDelay time.Duration // of a RetryAfterError
	}{
		{"429 waits Retry-After", []slacktest.Fault{{Status: 429, RetryAfter: "3"}}, []time.Duration{3 * time.Second}, false, 0},
		// jitter 0.5 gives 3/4 of each backoff step: 500ms, 1s, 2s.
		{"500 backs off", []slacktest.Fault{{Status: 500}, {Status: 503}}, []time.Duration{375 * time.Millisecond, 750 * time.Millisecond}, false, 0},
		{"transient Slack error backs off", []slacktest.Fault{{Error: "internal_error"}}, []time.Duration{375 * time.Millisecond}, false, 0},
		{"5xx gives up after the attempts", []slacktest.Fault{{Status: 500}, {Status: 500}, {Status: 500}, {Status: 500}},
			[]time.Duration{375 * time.Millisecond, 750 * time.Millisecond, 1500 * time.Millisecond}, true, 0},
		{"long Retry-After goes back to the caller", []slacktest.Fault{{Status: 429, RetryAfter: "120"}}, nil, true, 120 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Fail("chat.postMessage", tt.faults...)
			retry, err := f.n.Notify(context.Background(), dropAlert())
			if (err != nil) != tt.wantErr {
				t.Fatalf("Notify = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !retry {
				t.Errorf("Notify(%s) retry = false, want true", tt.name)
			}
			if got := f.clock.waits(); fmt.Sprint(got) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tt.wantWaits)
			}
			var ra *RetryAfterError
			if tt.wantDelay > 0 && (!errors.As(err, &ra) || ra.Delay != tt.wantDelay) {
				t.Errorf("Notify = %v, want a RetryAfterError of %s", err, tt.wantDelay)
			}
			if !tt.wantErr && len(f.srv.TopLevel(alertsID)) != 1 {
				t.Errorf("%d messages posted, want 1", len(f.srv.TopLevel(alertsID)))
			}
		})
	}
}

func TestPermanentErrors(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Options)
		fault    string
		method   string
		wantCode string
		wantHint string
	}{
		{"channel not found", func(o *Options) { o.Channel = "C0MISSING" }, "", "conversations.history", "channel_not_found", "invite the app"},
		{"not in channel", func(o *Options) { o.Channel = "C0OUTSIDE" }, "", "conversations.history", "not_in_channel", "/invite @vigil"},
		{"unknown channel name", func(o *Options) { o.Channel = "#nowhere" }, "", "conversations.list", "channel_not_found", "check the name"},
		{"invalid auth", func(o *Options) { o.Token = "xoxb-wrong" }, "", "conversations.list", "invalid_auth", "SLACK_BOT_TOKEN"},
		{"account inactive", nil, "account_inactive", "chat.postMessage", "account_inactive", "reinstall"},
		{"archived", nil, "is_archived", "chat.postMessage", "is_archived", "archived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.edit)
			if tt.fault != "" {
				f.srv.Fail(tt.method, slacktest.Fault{Error: tt.fault})
			}
			retry, err := f.n.Notify(context.Background(), dropAlert())
			var perr *PermanentError
			if err == nil || retry || !errors.As(err, &perr) {
				t.Fatalf("Notify = %v, retry %v; want a permanent error", err, retry)
			}
			if perr.Code != tt.wantCode || !strings.Contains(err.Error(), tt.wantHint) {
				t.Errorf("Notify = %q (code %q), want code %q and a hint with %q", err, perr.Code, tt.wantCode, tt.wantHint)
			}
			if w := f.clock.waits(); len(w) != 0 {
				t.Errorf("waited %v before giving up on a permanent error", w)
			}
			if n := len(f.srv.Calls(tt.method)); n != 1 {
				t.Errorf("%s called %d times, want 1", tt.method, n)
			}
		})
	}
}

// leakyTransport fails its first requests with an error that quotes the
// request body, token included, as a careless proxy might.
type leakyTransport struct {
	fails atomic.Int32
	next  http.RoundTripper
}

func (l *leakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if l.fails.Add(-1) >= 0 {
		body, _ := io.ReadAll(r.Body)
		return nil, fmt.Errorf("connection reset while sending %s", body)
	}
	return l.next.RoundTrip(r)
}

func TestTokenNeverShown(t *testing.T) {
	tr := &leakyTransport{next: http.DefaultTransport}
	tr.fails.Store(10)
	f := newFixture(t, func(o *Options) { o.HTTPClient = &http.Client{Transport: tr} })
	_, err := f.n.Notify(context.Background(), dropAlert())
	if err == nil {
		t.Fatal("Notify succeeded through a failing transport")
	}
	f.n.log.Info("notifier", "options", f.opts)
	shown := []struct{ name, text string }{
		{"error", err.Error()},
		{"logs", f.logs.String()},
		{"options %v", fmt.Sprintf("%v %+v %#v %s", f.opts, f.opts, f.opts, f.opts)},
	}
	for _, s := range shown {
		if strings.Contains(s.text, testToken) || strings.Contains(s.text, "SECRET") {
			t.Errorf("%s shows the token: %.300s", s.name, s.text)
		}
	}
	if !strings.Contains(f.logs.String(), "<secret>") || !strings.Contains(err.Error(), "<secret>") {
		t.Errorf("the failure should show <secret> where the token was; error %q", err)
	}
	if _, err := New(Options{Token: "xoxp-user", Channel: "#a"}); err == nil || strings.Contains(err.Error(), "xoxp-user") {
		t.Errorf("New with a user token = %v, want an error without the token", err)
	}
}
