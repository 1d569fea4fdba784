package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/notifiers"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		want []string // substrings of the error, none when empty
	}{
		{"all good", nil, nil},
		{"bad token", func(o *Options) { o.Token = "xoxb-revoked" }, []string{"invalid_auth", "SLACK_BOT_TOKEN"}},
		{"every channel problem at once", func(o *Options) {
			o.ChannelBySeverity = map[string]string{"major": "#outside", "critical": "#gone"}
		}, []string{"#outside", "not a member", "/invite @vigil", "#gone", "not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.edit)
			err := f.n.Check(context.Background())
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				if n := len(f.srv.Calls("conversations.info")); n != 1 {
					t.Errorf("conversations.info called %d times, want 1", n)
				}
				return
			}
			if err == nil {
				t.Fatal("Check = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check = %q, want it to mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "xoxb-revoked") {
				t.Errorf("Check shows the token: %v", err)
			}
		})
	}
}

// items collects alerts as the engine does: one item per incident.
func items(alerts ...notifiers.Alert) []DigestItem {
	var out []DigestItem
	byID := map[string]int{}
	for _, a := range alerts {
		i, ok := byID[a.ID]
		if !ok {
			i = len(out)
			byID[a.ID] = i
			out = append(out, DigestItem{})
		}
		out[i].Add(a)
	}
	return out
}

func TestDigest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		quiet     bool // the alerts were not posted on their own
		alerts    []notifiers.Alert
		wantTop   int // top-level messages in #alerts after the digest
		wantLines []string
		wantLinks int
	}{
		{"summary with thread links", false, []notifiers.Alert{dropAlert(), riseAlert(), later(), resolvedAlert()}, 3,
			[]string{"vigil digest: 2 incidents", "Revenue up 84% at 14:00 UTC* — Critical, still firing", "Completed orders at 14:00 UTC* — Critical, resolved"}, 2},
		{"quiet digest is the only message", true, []notifiers.Alert{riseAlert()}, 1, []string{"vigil digest: 1 incident"}, 0},
		{"an incident without a score comes last", true, []notifiers.Alert{freshnessAlert(), riseAlert()}, 1,
			[]string{"vigil digest: 2 incidents", "Revenue up 84% at 14:00 UTC* — Critical, still firing\\n• *Completed orders: no data for 3 hours"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			for _, a := range tt.alerts {
				if tt.quiet {
					break
				}
				if _, err := f.n.Notify(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			d := Digest{Key: "digest:team/#alerts|digest|1|team", Channel: "#alerts", Since: t0, Until: t0.Add(24 * time.Hour), Items: items(tt.alerts...)}
			if _, err := f.n.PostDigest(ctx, d); err != nil {
				t.Fatalf("PostDigest = %v", err)
			}
			top := f.srv.TopLevel(alertsID)
			if len(top) != tt.wantTop {
				t.Fatalf("%d top-level messages, want %d", len(top), tt.wantTop)
			}
			digest := top[len(top)-1]
			for _, w := range tt.wantLines {
				if !strings.Contains(digest.Blocks, w) {
					t.Errorf("digest blocks %s\nwant %q", digest.Blocks, w)
				}
			}
			if got := strings.Count(digest.Blocks, "https://vigil-test.slack.com/archives/"+alertsID+"/p"); got != tt.wantLinks {
				t.Errorf("digest links %d threads, want %d", got, tt.wantLinks)
			}
			if !strings.Contains(digest.Metadata, d.Key) {
				t.Errorf("digest metadata %s, want its key %s", digest.Metadata, d.Key)
			}
			for key, want := range map[string]bool{d.Key: true, "digest:team/#alerts|digest|2|team": false} {
				if got, err := f.n.DigestPosted(ctx, "#alerts", key); err != nil || got != want {
					t.Errorf("DigestPosted(%s) = %v, %v; want %v", key, got, err, want)
				}
			}
			f.noRejections(t)
		})
	}
}

// TestDigestNotPosted: an empty digest posts nothing; a failed post says
// whether trying again may help, and hides the token.
func TestDigestNotPosted(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		items     []DigestItem
		fault     string
		wantErr   string
		wantRetry bool
	}{
		{"empty", nil, "", "", false},
		{"channel gone", items(riseAlert()), "channel_not_found", "channel_not_found", false},
		{"Slack down", items(riseAlert()), "service_unavailable", "service_unavailable", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			for range 4 { // every attempt of the call
				if tt.fault != "" {
					f.srv.Fail("chat.postMessage", slacktestFault(tt.fault))
				}
			}
			retry, err := f.n.PostDigest(ctx, Digest{Key: "k", Channel: "#alerts", Until: t0, Items: tt.items})
			switch {
			case tt.wantErr == "" && err != nil, tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("PostDigest = %v, want %q", err, tt.wantErr)
			case retry != tt.wantRetry:
				t.Errorf("PostDigest retry = %v, want %v", retry, tt.wantRetry)
			case err != nil && strings.Contains(err.Error(), testToken):
				t.Errorf("PostDigest shows the token: %v", err)
			}
			if top := f.srv.TopLevel(alertsID); len(top) != 0 {
				t.Errorf("%d messages posted, want none", len(top))
			}
		})
	}
}
