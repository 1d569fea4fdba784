package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"vigil/notifiers"
)

// later is the drop one bucket on, still anomalous.
func later() notifiers.Alert {
	a := dropAlert()
	a.History = history(t0.Add(time.Hour), 48, 4000, nil)
	last := &a.History[len(a.History)-1]
	a.Time, a.Value, a.Expected, a.Score = t0.Add(time.Hour), 3050, 4420, 0.78
	last.Value, last.Expected = 3050, 4420
	return a
}

func headerOf(t *testing.T, blocks string) string {
	t.Helper()
	var bs []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil || len(bs) == 0 {
		t.Fatalf("blocks: %v", err)
	}
	return bs[0].Text.Text
}

func TestIncidentThread(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	steps := []struct {
		name        string
		alert       notifiers.Alert
		wantHeader  string
		wantUpdates int
		wantReplies int
		wantReply   string
	}{
		{"anomaly posts", dropAlert(), "Completed orders down 27% at 14:00 UTC", 0, 0, ""},
		{"still anomalous updates and replies", later(), "Completed orders down 31% at 15:00 UTC", 1, 1, "Still anomalous at 15:00 UTC"},
		{"recovered resolves", resolvedAlert(), "Resolved: Completed orders back to normal", 2, 2, "Resolved at 17:00 UTC after 3 hours"},
		{"the same delivery again replies no more", resolvedAlert(), "Resolved: Completed orders back to normal", 3, 2, "Resolved at 17:00 UTC"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			retry, err := f.n.Notify(ctx, s.alert)
			if err != nil {
				t.Fatalf("Notify = %v (retry %v)", err, retry)
			}
			top := f.srv.TopLevel(alertsID)
			if len(top) != 1 {
				t.Fatalf("%d top-level messages, want 1", len(top))
			}
			if got := headerOf(t, top[0].Blocks); got != s.wantHeader {
				t.Errorf("header = %q, want %q", got, s.wantHeader)
			}
			if top[0].Updates != s.wantUpdates {
				t.Errorf("first message updated %d times, want %d", top[0].Updates, s.wantUpdates)
			}
			replies := f.srv.Replies(alertsID, top[0].TS)
			if len(replies) != s.wantReplies {
				t.Fatalf("%d replies, want %d", len(replies), s.wantReplies)
			}
			if s.wantReply != "" && !strings.Contains(replies[len(replies)-1].Text, s.wantReply) {
				t.Errorf("last reply = %q, want it to say %q", replies[len(replies)-1].Text, s.wantReply)
			}
			if !strings.Contains(top[0].Metadata, `"incident_id":"orders@2026-03-02T14:00:00Z"`) {
				t.Errorf("metadata = %s, want the incident ID", top[0].Metadata)
			}
		})
	}
	if ts, ok, _ := f.n.threads.Thread(ctx, dropAlert().ID, alertsID); !ok || ts != f.srv.TopLevel(alertsID)[0].TS {
		t.Errorf("thread = %q, %v; want the first message's ts", ts, ok)
	}
	if len(f.srv.Calls("chat.update")) != 3 {
		t.Errorf("chat.update called %d times, want 3", len(f.srv.Calls("chat.update")))
	}
	f.noRejections(t)
}

func TestRestartBetweenPostAndSave(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Threads = &failingThreads{MemoryThreads: NewMemoryThreads(), fails: 1} })
	ctx := context.Background()
	retry, err := f.n.Notify(ctx, dropAlert())
	if err == nil || !retry {
		t.Fatalf("Notify with a failing store = %v, retry %v; want an error worth retrying", err, retry)
	}
	threads := NewMemoryThreads()
	n := f.restart(t, threads) // the record of the thread is lost
	if _, err := n.Notify(ctx, dropAlert()); err != nil {
		t.Fatalf("Notify after restart = %v", err)
	}
	top := f.srv.TopLevel(alertsID)
	if len(top) != 1 {
		t.Fatalf("%d top-level messages after the restart, want 1", len(top))
	}
	if r := f.srv.Replies(alertsID, top[0].TS); len(r) != 0 {
		t.Errorf("the replayed delivery replied %d times, want 0", len(r))
	}
	if ts, ok, _ := threads.Thread(ctx, dropAlert().ID, alertsID); !ok || ts != top[0].TS {
		t.Errorf("thread after restart = %q, %v; want %q, found by metadata", ts, ok, top[0].TS)
	}
	if h := f.srv.Calls("conversations.history"); len(h) == 0 || h[0].Params.Get("include_all_metadata") != "1" || h[0].Params.Get("oldest") == "" {
		t.Errorf("history search = %+v, want include_all_metadata=1 and a bounded look-back", h)
	}
	// A later event of the incident goes to the same thread.
	if _, err := f.restart(t, NewMemoryThreads()).Notify(ctx, later()); err != nil {
		t.Fatal(err)
	}
	if top := f.srv.TopLevel(alertsID); len(top) != 1 || len(f.srv.Replies(alertsID, top[0].TS)) != 1 {
		t.Errorf("later event: %d top-level messages, want 1 with 1 reply", len(top))
	}
	f.noRejections(t)
}

func TestRouting(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*notifiers.Alert)
		opts    func(*Options)
		channel string
	}{
		{"default channel by name", nil, nil, alertsID},
		{"rule's own channel wins", func(a *notifiers.Alert) { a.Channel = "C0CRIT001" }, nil, "C0CRIT001"},
		{"severity routes", func(a *notifiers.Alert) { a.Score = 0.9 }, func(o *Options) { o.ChannelBySeverity = map[string]string{"critical": "#critical"} }, "C0CRIT001"},
		{"other severities keep the default", func(a *notifiers.Alert) { a.Score = 0.5 }, func(o *Options) { o.ChannelBySeverity = map[string]string{"critical": "#critical"} }, alertsID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts)
			a := riseAlert()
			if tt.edit != nil {
				tt.edit(&a)
			}
			if _, err := f.n.Notify(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			if got := len(f.srv.TopLevel(tt.channel)); got != 1 {
				t.Errorf("%d messages in %s, want 1", got, tt.channel)
			}
		})
	}
}

func TestDelivered(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for _, a := range []notifiers.Alert{dropAlert(), later()} {
		if ok, err := f.n.Delivered(ctx, a.DeliveryKey()); err != nil || ok {
			t.Fatalf("Delivered before sending = %v, %v; want false", ok, err)
		}
		if _, err := f.n.Notify(ctx, a); err != nil {
			t.Fatal(err)
		}
		if ok, err := f.n.Delivered(ctx, a.DeliveryKey()); err != nil || !ok {
			t.Errorf("Delivered after sending = %v, %v; want true", ok, err)
		}
	}
}

func TestImageChart(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Chart = ChartImage })
	if _, err := f.n.Notify(context.Background(), dropAlert()); err != nil {
		t.Fatal(err)
	}
	top := f.srv.TopLevel(alertsID)
	files := f.srv.Files()
	if len(top) != 1 || len(files) != 1 {
		t.Fatalf("%d messages and %d files, want 1 and 1", len(top), len(files))
	}
	if files[0].ThreadTS != top[0].TS || files[0].Channel != alertsID {
		t.Errorf("file shared to %s/%s, want the incident's thread %s/%s", files[0].Channel, files[0].ThreadTS, alertsID, top[0].TS)
	}
	if !strings.HasPrefix(string(files[0].Data), "\x89PNG\r\n\x1a\n") || len(files[0].Data) < 2000 {
		t.Errorf("uploaded %d bytes, want a PNG chart", len(files[0].Data))
	}
	if strings.Contains(top[0].Blocks, "data_visualization") {
		t.Error("image mode also sent a native chart")
	}
}
