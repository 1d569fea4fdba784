package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/notifiers/slack/slacktest"
)

// recordedActions records the calls of Actions.
type recordedActions struct {
	mu    sync.Mutex
	calls []string
}

func (r *recordedActions) add(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return nil
}

func (r *recordedActions) Acknowledge(_ context.Context, id, user string) error {
	return r.add("ack " + id + " " + user)
}

func (r *recordedActions) Snooze(_ context.Context, id, user string, until time.Time, recovery bool) error {
	return r.add(fmt.Sprintf("snooze %s %s %s %v", id, user, until.UTC().Format("15:04"), recovery))
}

func (r *recordedActions) NotAnomaly(_ context.Context, id, user string) error {
	return r.add("not_anomaly " + id + " " + user)
}

func (r *recordedActions) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// clickPayload is a block_actions payload as Slack sends it for a click on
// the button action of the message m.
func clickPayload(m slacktest.Message, user, action, value string) map[string]any {
	return map[string]any{
		"type":      "block_actions",
		"user":      map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":   map[string]any{"id": m.Channel, "name": "alerts"},
		"container": map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel},
		"message": map[string]any{"type": "message", "ts": m.TS, "text": m.Text,
			"blocks": json.RawMessage(m.Blocks), "metadata": json.RawMessage(m.Metadata)},
		"actions": []map[string]any{{"type": "button", "action_id": action, "block_id": actionsBlockID,
			"value": value, "action_ts": "1772463120.000001"}},
	}
}

// TestListenerSocketMode drives the listener end to end: the fake serves
// apps.connections.open and a real Socket Mode WebSocket, sends button
// clicks as interactive envelopes, and checks each is acknowledged, that
// Actions is called, and what the message and thread say afterwards.
func TestListenerSocketMode(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddGroup("S0ONCALL", "U0BOB")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := f.n.Notify(ctx, dropAlert()); err != nil {
		t.Fatal(err)
	}
	acts := &recordedActions{}
	l, err := NewListener(ListenerOptions{
		AppToken: testAppToken, BotToken: testToken, APIURL: f.srv.APIURL(),
		AllowedChannels: []string{"#alerts"}, AllowedUsers: []string{"U0ALICE"}, AllowedGroups: []string{"S0ONCALL"},
		Clock: &fakeClock{now: time.Date(2026, 3, 2, 14, 12, 0, 0, time.UTC)}, Logger: f.n.log,
	}, acts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	id := dropAlert().ID
	steps := []struct {
		name       string
		user       string
		action     string
		wantCall   string
		wantNote   string
		wantButton int // buttons left on the message
		ephemeral  int // ephemeral replies so far
	}{
		{"acknowledge", "U0ALICE", ActionAcknowledge, "ack " + id + " U0ALICE", "Acknowledged by <@U0ALICE> at 14:12 UTC", 4, 0},
		{"snooze an hour, allowed through a group", "U0BOB", ActionSnoozeHour, "snooze " + id + " U0BOB 15:12 false", "Snoozed by <@U0BOB> until 15:12 UTC", 5, 0},
		{"snooze until recovery", "U0ALICE", ActionSnoozeRecover, "snooze " + id + " U0ALICE 00:00 true", "Snoozed by <@U0ALICE> until it recovers", 5, 0},
		{"not an anomaly", "U0ALICE", ActionNotAnomaly, "not_anomaly " + id + " U0ALICE", "Marked not an anomaly by <@U0ALICE> at 14:12 UTC", 0, 0},
		{"stranger refused", "U0MALLORY", ActionAcknowledge, "", "", 0, 1},
		{"unknown action ignored", "U0ALICE", "vigil_explode", "", "", 0, 1},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := len(acts.list())
			msg := f.srv.TopLevel(alertsID)[0]
			env, err := f.srv.Interact(clickPayload(msg, s.user, s.action, id), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.srv.WaitAck(env, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool {
				return s.wantCall == "" && len(f.srv.Ephemeral()) == s.ephemeral ||
					s.wantCall != "" && len(f.srv.Replies(alertsID, msg.TS)) > before
			})
			calls := acts.list()
			if s.wantCall == "" {
				if len(calls) != before {
					t.Errorf("Actions called: %v", calls[before:])
				}
				return
			}
			if len(calls) != before+1 || calls[before] != s.wantCall {
				t.Fatalf("Actions calls = %v, want %q", calls[before:], s.wantCall)
			}
			msg = f.srv.TopLevel(alertsID)[0]
			if !strings.Contains(unescaped(msg.Blocks), s.wantNote) || strings.Count(msg.Blocks, `"type":"button"`) != s.wantButton {
				t.Errorf("message after %s: want note %q and %d buttons; blocks %s", s.name, s.wantNote, s.wantButton, msg.Blocks)
			}
			if !strings.Contains(msg.Blocks, "data_visualization") || !strings.Contains(msg.Metadata, id) {
				t.Error("the update lost the chart or the metadata")
			}
			replies := f.srv.Replies(alertsID, msg.TS)
			if got := replies[len(replies)-1].Text; got != s.wantNote {
				t.Errorf("thread note = %q, want %q", got, s.wantNote)
			}
		})
	}
	if e := f.srv.Ephemeral(); len(e) != 1 || e[0].User != "U0MALLORY" || !strings.Contains(e[0].Text, "can't act") {
		t.Errorf("ephemeral replies = %+v, want one refusal to U0MALLORY", e)
	}
	if !strings.Contains(f.logs.String(), "unknown slack action ignored") {
		t.Error("the unknown action was not logged")
	}
	if strings.Contains(f.logs.String(), "SECRET") {
		t.Error("a token shows in the logs")
	}
	f.noRejections(t)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Run did not stop when its context was cancelled")
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

// unescaped undoes the HTML escaping encoding/json applies to <, > and &.
func unescaped(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}
