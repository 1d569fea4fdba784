package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
	"vigil/notifiers"
	"vigil/notifiers/slack"
	"vigil/notifiers/slack/slacktest"
)

const (
	testBotToken = "xoxb-engine-test"
	testAppToken = "xapp-engine-test"
	alertsID     = "C0ALERTS1"
)

// slackRun is an engine with one Slack notifier, team, over a store and an
// outbox, as the daemon builds it.
type slackRun struct {
	e   *Engine
	cfg *config.Config
}

// startSlackEngine builds the Slack notifier from cfg through
// buildNotifiers, an engine whose rule orders follows pattern and an outbox
// that delivers, all stopped when the test ends.
func startSlackEngine(t *testing.T, s *state.Store, srv *slacktest.Server, pattern string, mod ...func(*config.Notifier)) slackRun {
	t.Helper()
	return startSlackRule(t, s, srv, pattern, "", mod...)
}

// startSlackRule is startSlackEngine with the rule's slack_channel.
func startSlackRule(t *testing.T, s *state.Store, srv *slacktest.Server, pattern, channel string, mod ...func(*config.Notifier)) slackRun {
	t.Helper()
	run, o := newSlackRun(t, s, srv, pattern, channel, nil, mod...)
	runOutbox(t, o)
	return run
}

// newSlackRun is startSlackRule with the outbox not yet running, and the
// Slack notifier on the clock now (nil: time.Now).
func newSlackRun(t *testing.T, s *state.Store, srv *slacktest.Server, pattern, channel string, now func() time.Time, mod ...func(*config.Notifier)) (slackRun, *Outbox) {
	t.Helper()
	r := lifecycleRule(patternSource(pattern), config.Alerting{ResolveAfter: 2, Renotify: time.Hour, CatchUp: 24, FailingAfter: 3}, 1)
	r.Metric.SlackChannel = channel
	cfg := &config.Config{
		File: "vigil.yaml",
		Notifiers: map[string]config.Notifier{"team": {Name: "team", Type: "slack", Token: testBotToken,
			AppToken: testAppToken, Channel: "#alerts", Chart: "native"}},
		Metrics: []config.Metric{r.Metric},
	}
	for _, f := range mod {
		nc := cfg.Notifiers["team"]
		f(&nc)
		cfg.Notifiers["team"] = nc
	}
	nots, sides, errs := buildNotifiers(cfg, Options{Store: s, SlackAPIURL: srv.APIURL(), Now: now}.withDefaults())
	if len(errs) > 0 || len(sides) != 1 || sides[0].listener == nil {
		t.Fatalf("buildNotifiers() = %v, %d sides, errors %v", nots, len(sides), errs)
	}
	r.Notifiers, r.NotifierNames = []notifiers.Notifier{nots["team"]}, []string{"team"}
	o := NewOutbox(s, OutboxOptions{})
	e := New([]Rule{r}, Options{Store: s, Outbox: o})
	e.slack = sides
	o.Use(e)
	return slackRun{e: e, cfg: cfg}, o
}

func (sr slackRun) judge(t *testing.T, s *state.Store, bucket int) {
	t.Helper()
	if res := sr.e.Once(context.Background(), evalAt(bucket), nil)[0]; res.Failed() {
		t.Fatalf("bucket %d: %v %v", bucket, res.Err, res.NotifyErr)
	}
	settled(t, s, "")
}

// TestSlackThroughTheEngine follows one incident from the engine and a real
// state store to the fake Slack: one message on the anomaly, updated with a
// reply while it goes on, resolved at the end; a restart (a new engine and
// notifier over the same store) keeps the thread; and button clicks through
// the listener reach the store.
func TestSlackThroughTheEngine(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	s := openStore(t)
	const pattern = "AAA..."
	id := state.IncidentID("orders", "", hour(0))

	run := startSlackEngine(t, s, srv, pattern)
	run.judge(t, s, 0)
	top := srv.TopLevel(alertsID)
	if len(top) != 1 {
		t.Fatalf("after the anomaly: %d top-level messages, want 1", len(top))
	}
	inc, _, err := s.GetIncident(id)
	check(t, err)
	if ref := inc.Refs["team"]; ref.Channel != alertsID || ref.TS != top[0].TS {
		t.Errorf("incident refs = %+v, want team → %s %s", inc.Refs, alertsID, top[0].TS)
	}

	run.judge(t, s, 1)
	if got := srv.TopLevel(alertsID); len(got) != 1 || got[0].Updates < 1 {
		t.Fatalf("still anomalous: top-level %+v, want the one message updated", got)
	}
	if got := srv.Replies(alertsID, top[0].TS); len(got) != 1 {
		t.Fatalf("still anomalous: %d replies, want 1", len(got))
	}
	searches := len(srv.Calls("conversations.history"))

	// Restart: a new engine and notifier over the same store.
	run = startSlackEngine(t, s, srv, pattern)
	for b := 2; b < len(pattern); b++ {
		run.judge(t, s, b)
	}
	got := srv.TopLevel(alertsID)
	if len(got) != 1 {
		t.Fatalf("after the restart: %d top-level messages, want still 1", len(got))
	}
	if n := len(srv.Calls("conversations.history")); n != searches {
		t.Errorf("after the restart the notifier searched the channel %d times; the store has the thread", n-searches)
	}
	if !strings.Contains(got[0].Metadata, `"resolved"`) {
		t.Errorf("message metadata %s, want the incident resolved", got[0].Metadata)
	}
	replies := srv.Replies(alertsID, top[0].TS)
	if len(replies) < 3 || !strings.HasPrefix(replies[1].Text, "*Still anomalous at 02:00") ||
		!strings.HasPrefix(replies[len(replies)-1].Text, "*Resolved at 04:00") {
		for _, r := range replies {
			t.Logf("reply: %s", r.Text)
		}
		t.Errorf("%d replies in the thread, want the reminders then the resolution", len(replies))
	}

	ctx, cancel := context.WithCancel(context.Background())
	stop := run.e.runSlack(ctx)
	defer func() { cancel(); stop() }()
	click(t, srv, got[0], "U0ALICE", slack.ActionAcknowledge, id)
	eventually(t, "the acknowledgement is recorded", func() bool {
		inc, _, _ := s.GetIncident(id)
		return inc.AckBy == "U0ALICE" && !inc.AckAt.IsZero()
	})
	click(t, srv, got[0], "U0BOB", slack.ActionNotAnomaly, id)
	eventually(t, "the feedback is recorded", func() bool {
		inc, _, _ := s.GetIncident(id)
		return inc.Feedback == state.NotAnomaly && inc.FeedbackBy == "U0BOB"
	})
	rs, err := s.ExcludedRanges("orders", hour(-24), hour(24), true)
	check(t, err)
	if len(rs) != 1 || !rs[0].Start.Equal(hour(0)) || !rs[0].End.Equal(hour(3)) {
		t.Errorf("ExcludedRanges = %+v, want the incident's buckets [%s, %s)", rs, hour(0), hour(3))
	}
	if rs, _ := s.ExcludedRanges("orders", hour(-24), hour(24), false); len(rs) != 0 {
		t.Errorf("ExcludedRanges without not-anomaly spans = %+v, want none", rs)
	}
}

// click sends a button click on m over Socket Mode and waits for its
// acknowledgement.
func click(t *testing.T, srv *slacktest.Server, m slacktest.Message, user, action, value string) {
	t.Helper()
	payload := map[string]any{
		"type":      "block_actions",
		"user":      map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":   map[string]any{"id": m.Channel, "name": "alerts"},
		"container": map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel},
		"message": map[string]any{"type": "message", "ts": m.TS, "text": m.Text,
			"blocks": json.RawMessage(m.Blocks), "metadata": json.RawMessage(m.Metadata)},
		"actions": []map[string]any{{"type": "button", "action_id": action, "block_id": "vigil_actions",
			"value": value, "action_ts": "1772463120.000001"}},
	}
	env, err := srv.Interact(payload, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitAck(env, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestSlackSnoozeHoldsReminders: "Snooze until it recovers" pressed in
// Slack holds the incident's reminders, not its resolution, and a
// recovered incident is no longer snoozed.
func TestSlackSnoozeHoldsReminders(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	s := openStore(t)
	const pattern = "AAA.."
	id := state.IncidentID("orders", "", hour(0))
	run := startSlackEngine(t, s, srv, pattern)
	run.judge(t, s, 0)
	top := srv.TopLevel(alertsID)
	if len(top) != 1 {
		t.Fatalf("%d top-level messages, want 1", len(top))
	}
	ctx, cancel := context.WithCancel(context.Background())
	stop := run.e.runSlack(ctx)
	defer func() { cancel(); stop() }()
	click(t, srv, top[0], "U0ALICE", slack.ActionSnoozeRecover, id)
	eventually(t, "the snooze is recorded", func() bool {
		inc, _, _ := s.GetIncident(id)
		return inc.SnoozeUntilRecovery
	})
	eventually(t, "the snooze noted in the thread", func() bool {
		for _, r := range srv.Replies(alertsID, top[0].TS) {
			if strings.Contains(r.Text, "Snoozed by") {
				return true
			}
		}
		return false
	})
	notes := len(srv.Replies(alertsID, top[0].TS))
	for b := 1; b < len(pattern); b++ {
		run.judge(t, s, b)
	}
	replies := srv.Replies(alertsID, top[0].TS)
	if len(replies) != notes+1 || !strings.HasPrefix(replies[len(replies)-1].Text, "*Resolved") {
		for _, r := range replies {
			t.Logf("reply: %s", r.Text)
		}
		t.Errorf("%d replies after the snooze, want only the resolution", len(replies)-notes)
	}
	inc, _, err := s.GetIncident(id)
	check(t, err)
	if inc.State != state.Resolved || inc.SnoozeUntilRecovery {
		t.Errorf("incident %s, snoozed until recovery %v; want resolved and no longer snoozed", inc.State, inc.SnoozeUntilRecovery)
	}
}

// TestSlackDigestOnSchedule: with digest_only the incident gets no message
// of its own, and the digest posted on its schedule lists it.
func TestSlackDigestOnSchedule(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	s := openStore(t)
	run := startSlackEngine(t, s, srv, "AA", func(nc *config.Notifier) {
		nc.Digest, nc.DigestOnly = "@every 1s", true
	})
	run.judge(t, s, 0)
	if got := srv.TopLevel(alertsID); len(got) != 0 {
		t.Fatalf("digest only: %d messages before the digest, want none", len(got))
	}
	ctx, cancel := context.WithCancel(context.Background())
	stop := run.e.runSlack(ctx)
	defer func() { cancel(); stop() }()
	eventually(t, "the digest is posted", func() bool { return len(srv.TopLevel(alertsID)) > 0 })
	if got := srv.TopLevel(alertsID)[0]; !strings.Contains(got.Text, "1 incident") || !strings.Contains(got.Text, "Orders up 50%") {
		t.Errorf("digest %q, want it to list the one incident", got.Text)
	}
}

// TestSlackRuleChannel: a rule's slack_channel wins over the notifier's
// channel.
func TestSlackRuleChannel(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	srv.AddChannel(slacktest.Channel{ID: "C0GROWTH1", Name: "growth", Member: true})
	s := openStore(t)
	run := startSlackRule(t, s, srv, "A", "#growth")
	run.judge(t, s, 0)
	if a, g := len(srv.TopLevel(alertsID)), len(srv.TopLevel("C0GROWTH1")); a != 0 || g != 1 {
		t.Errorf("messages: %d in #alerts, %d in #growth; want the one in #growth", a, g)
	}
}

// TestSlackWithoutStore: without a store (vigil once) a Slack notifier
// posts each alert, even with digest_only, and has no listener.
func TestSlackWithoutStore(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	cfg := &config.Config{Notifiers: map[string]config.Notifier{"team": {Name: "team", Type: "slack", Token: testBotToken,
		AppToken: testAppToken, Channel: "#alerts", Digest: "0 9 * * *", DigestOnly: true}}}
	nots, sides, errs := buildNotifiers(cfg, Options{SlackAPIURL: srv.APIURL()}.withDefaults())
	if len(errs) > 0 || len(sides) != 1 || sides[0].listener != nil || sides[0].digest {
		t.Fatalf("buildNotifiers() = %v, errors %v; want a notifier without listener or digest", sides, errs)
	}
	a := notifiers.Alert{ID: "orders/", State: notifiers.Firing, Rule: "orders", Time: hour(0), Granularity: time.Hour,
		Location: time.UTC, Value: 150, Expected: 100, Lower: 90, Upper: 110, Score: 0.9}
	if _, err := nots["team"].Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if _, err := nots["team"].Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if got := srv.TopLevel(alertsID); len(got) != 1 {
		t.Errorf("%d top-level messages, want 1 (threads kept in memory)", len(got))
	}
}

// TestSlackDigestSurvivesReload: what the old engine's digest collected
// is posted by the digest of the engine a reload builds, once.
func TestSlackDigestSurvivesReload(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	s := openStore(t)
	digestOnly := func(nc *config.Notifier) { nc.Digest, nc.DigestOnly = "0 9 * * *", true }
	old, o := newSlackRun(t, s, srv, "AA", "", nil, digestOnly)
	runOutbox(t, o)
	old.judge(t, s, 0)
	// As in the daemon's reload, the new engine takes over the one outbox.
	cur, _ := newSlackRun(t, s, srv, "AA", "", nil, digestOnly)
	cur.e.outbox = o
	o.Use(cur.e)
	for _, e := range []*Engine{cur.e, old.e} { // the old one finds nothing left
		if _, err := e.flushDigest("team", hour(3)); err != nil {
			t.Fatal(err)
		}
		settled(t, s, "")
	}
	if got := srv.TopLevel(alertsID); len(got) != 1 || !strings.Contains(got[0].Text, "1 incident") {
		t.Errorf("digests after the reload %+v, want one listing the incident", got)
	}
}
