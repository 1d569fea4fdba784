package webhook

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vigil/internal/deptest"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 4, 14, 0, 0, 0, time.UTC)
	date := func(t time.Time) string { return t.Format(http.TimeFormat) }
	tests := []struct {
		name, value, date string
		want              time.Duration
		ok                bool
	}{
		{"seconds", "7", "", 7 * time.Second, true},
		{"zero", "0", "", 0, true},
		{"spaces", "  30 ", "", 30 * time.Second, true},
		{"a day", "86400", "", 24 * time.Hour, true},
		{"beyond a day", "86401", "", maxRetryAfter, true},
		{"overflowing", "99999999999999999999999", "", maxRetryAfter, true},
		{"negative", "-5", "", 0, false},
		{"fraction", "1.5", "", 0, false},
		{"trailing junk", "5s", "", 0, false},
		{"empty", "", "", 0, false},
		{"word", "later", "", 0, false},
		{"date against Date", date(now.Add(90 * time.Second)), date(now.Add(30 * time.Second)), time.Minute, true},
		{"date against now", date(now.Add(90 * time.Second)), "", 90 * time.Second, true},
		{"date against bad Date", date(now.Add(90 * time.Second)), "yesterday", 90 * time.Second, true},
		{"date in the past", date(now.Add(-time.Hour)), "", 0, true},
		{"date far ahead", date(now.Add(400 * 24 * time.Hour)), "", maxRetryAfter, true},
		{"RFC 850 date", now.Add(time.Minute).Format(time.RFC850), "", time.Minute, true},
		{"ANSI C date", now.Add(time.Minute).Format(time.ANSIC), "", time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.value, tt.date, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseRetryAfter(%q, %q) = %v, %v; want %v, %v", tt.value, tt.date, got, ok, tt.want, tt.ok)
			}
		})
	}
	if got := retryAfter(http.Header{"Retry-After": {"soon"}}, now); got != DefaultRetryAfter {
		t.Errorf("retryAfter(soon) = %v, want DefaultRetryAfter", got)
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2025, 3, 4, 14, 0, 0, 0, time.UTC)
	for _, s := range []string{"7", "0", "-1", "1e3", "Tue, 04 Mar 2025 14:01:00 GMT", "99999999999999999999", " 3 ", ""} {
		f.Add(s, "Tue, 04 Mar 2025 14:00:00 GMT")
	}
	f.Fuzz(func(t *testing.T, value, date string) {
		d, ok := parseRetryAfter(value, date, now)
		if d < 0 || d > maxRetryAfter || !ok && d != 0 {
			t.Errorf("parseRetryAfter(%q, %q) = %v, %v; want within [0, %v]", value, date, d, ok, maxRetryAfter)
		}
	})
}

func TestSnippet(t *testing.T) {
	u, err := url.Parse("https://h.example.com/hooks/TOKEN123456?sig=abcdefgh")
	if err != nil {
		t.Fatal(err)
	}
	n := &Notifier{secrets: secrets(u)}
	tests := []struct{ name, body, want string }{
		{"short", "  no such hook \n", "no such hook"},
		{"path echoed", "no hook at /hooks/TOKEN123456?sig=abcdefgh", "no hook at <secret>?<secret>"},
		{"segment echoed", "token TOKEN123456 revoked", "token <secret> revoked"},
		{"secret across the cut", strings.Repeat(".", 195) + "TOKEN123456", strings.Repeat(".", 195) + "<secr"},
		{"long", strings.Repeat("é", 150), strings.Repeat("é", 100)},
		{"invalid UTF-8", "bad \xff\xfe byte", "bad  byte"},
		{"short parts stay", "the hooks are fine", "the <secret> are fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.snippet(strings.NewReader(tt.body)); got != tt.want {
				t.Errorf("snippet(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// TestDeps keeps the webhook light: the standard library and vigil's
// notifiers only.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/notifiers/webhook", "...", "vigil/notifiers")
}
