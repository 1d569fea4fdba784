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

func TestDigest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		quiet     bool
		alerts    []notifiers.Alert
		wantTop   int // top-level messages in #alerts after the flush
		wantLines []string
		wantLinks int
	}{
		{"summary with thread links", false, []notifiers.Alert{dropAlert(), riseAlert(), later(), resolvedAlert()}, 3,
			[]string{"vigil digest: 2 incidents", "Revenue up 84% at 14:00 UTC* — Critical, still firing", "Completed orders at 14:00 UTC* — Critical, resolved"}, 2},
		{"quiet digest is the only message", true, []notifiers.Alert{riseAlert()}, 1, []string{"vigil digest: 1 incident"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			d := NewDigest(f.n, tt.quiet)
			for _, a := range tt.alerts {
				if _, err := d.Notify(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Flush(ctx, t0.Add(24*time.Hour)); err != nil {
				t.Fatalf("Flush = %v", err)
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
			if err := d.Flush(ctx, t0.Add(48*time.Hour)); err != nil || len(f.srv.TopLevel(alertsID)) != tt.wantTop {
				t.Errorf("an empty period posted a digest (err %v)", err)
			}
			f.noRejections(t)
		})
	}
}

func TestDigestKeepsWhatFailed(t *testing.T) {
	f := newFixture(t, nil)
	d := NewDigest(f.n, true)
	ctx := context.Background()
	if _, err := d.Notify(ctx, riseAlert()); err != nil {
		t.Fatal(err)
	}
	f.srv.Fail("chat.postMessage", slacktestFault("channel_not_found"))
	if err := d.Flush(ctx, t0); err == nil {
		t.Fatal("Flush = nil, want the post's error")
	}
	if err := d.Flush(ctx, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if top := f.srv.TopLevel(alertsID); len(top) != 1 || !strings.Contains(top[0].Text, "1 incident") {
		t.Errorf("the incident was not carried to the next digest: %d messages", len(top))
	}
}

// TestDigestTake: a digest built by a reload takes over what the old one
// collected, and the old one is left empty.
func TestDigestTake(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	old := NewDigest(f.n, true)
	if _, err := old.Notify(ctx, riseAlert()); err != nil {
		t.Fatal(err)
	}
	cur := NewDigest(f.n, true)
	cur.Take(old)
	if err := old.Flush(ctx, t0.Add(24*time.Hour)); err != nil || len(f.srv.TopLevel(alertsID)) != 0 {
		t.Fatalf("the old digest still posted (err %v)", err)
	}
	if err := cur.Flush(ctx, t0.Add(24*time.Hour)); err != nil {
		t.Fatalf("Flush = %v", err)
	}
	top := f.srv.TopLevel(alertsID)
	if len(top) != 1 || !strings.Contains(top[0].Blocks, "vigil digest: 1 incident") {
		t.Errorf("digests %+v, want one listing the incident", top)
	}
}
