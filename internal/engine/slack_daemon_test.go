package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
	"vigil/notifiers/slack"
	"vigil/notifiers/slack/slacktest"
)

// slackDaemonConfig writes a config whose only notifier is Slack, with
// buttons and the extra settings given (", digest: ..."), and one rule,
// orders, on the test table.
func slackDaemonConfig(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	t.Setenv("VIGIL_TEST_SLACK_TOKEN", testBotToken)
	t.Setenv("VIGIL_TEST_SLACK_APP_TOKEN", testAppToken)
	cfg := "sources:\n  local: {type: duckdb, init: [\"" + testTable + "\"]}\n" +
		"notifiers:\n  team: {type: slack, channel: '#alerts', token: '${VIGIL_TEST_SLACK_TOKEN}', app_token: '${VIGIL_TEST_SLACK_APP_TOKEN}'" + strings.Join(extra, "") + "}\n" +
		"rules: rules/\nstate: state.db\n" +
		"defaults: {schedule: \"@hourly\", granularity: 1h, delay: 0, detect: {seasonality: daily, history: 14d}}\n"
	writeFile(t, filepath.Join(dir, "vigil.yaml"), cfg)
	writeFile(t, filepath.Join(dir, "rules", "r.yaml"), "metrics:\n  - {name: orders, table: orders, timestamp: ts, value: sum(amount)}\n")
	return filepath.Join(dir, "vigil.yaml")
}

// runSlackDaemon runs a daemon on path and the store at statePath until
// the returned stop is called; stop returns Run's error.
func runSlackDaemon(t *testing.T, path, statePath string, srv *slacktest.Server) (d *Daemon, reload chan struct{}, stop func() error) {
	t.Helper()
	store, err := state.Open(statePath, state.Options{Timeout: -1})
	check(t, err)
	cfg, err := config.Load(path)
	check(t, err)
	d, err = NewDaemon(context.Background(), cfg, DaemonOptions{
		Options: Options{Store: store, Now: func() time.Time { return fixedNow }, SlackAPIURL: srv.APIURL()},
		Load:    func() (*config.Config, error) { return config.Load(path) },
	})
	check(t, err)
	reload = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, reload) }()
	return d, reload, func() error {
		cancel()
		err := <-done
		check(t, d.Close())
		check(t, store.Close())
		return err
	}
}

// TestDaemonSlack runs the daemon with a Slack notifier against the fake
// Slack: the anomaly is posted once; buttons work, and keep working after a
// reload; shutdown stops the listener; a restart on the same state posts
// nothing again.
func TestDaemonSlack(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	dir := t.TempDir()
	path := slackDaemonConfig(t, dir)
	statePath := filepath.Join(dir, "state.db")

	d, reload, stop := runSlackDaemon(t, path, statePath, srv)
	eventually(t, "the alert posted", func() bool { return len(srv.TopLevel(alertsID)) == 1 })
	msg := srv.TopLevel(alertsID)[0]
	id := state.IncidentID("orders", "", at("2024-03-05T09:00:00Z"))
	if !strings.Contains(msg.Metadata, id) {
		t.Fatalf("message metadata %s, want incident %s", msg.Metadata, id)
	}
	click(t, srv, msg, "U0ALICE", slack.ActionAcknowledge, id)
	eventually(t, "the acknowledgement recorded", func() bool {
		inc, _, _ := d.store.GetIncident(id)
		return inc.AckBy == "U0ALICE"
	})

	reload <- struct{}{}
	eventually(t, "the listener connected again after the reload", func() bool { return srv.Connections() == 2 })
	click(t, srv, msg, "U0BOB", slack.ActionNotAnomaly, id)
	eventually(t, "the feedback recorded after the reload", func() bool {
		inc, _, _ := d.store.GetIncident(id)
		return inc.Feedback == state.NotAnomaly && inc.FeedbackBy == "U0BOB"
	})
	rs, err := d.store.ExcludedRanges("orders", time.Time{}, time.Time{}, true)
	check(t, err)
	if len(rs) != 1 || !rs[0].Start.Equal(at("2024-03-05T09:00:00Z")) || !rs[0].End.Equal(at("2024-03-05T10:00:00Z")) {
		t.Errorf("ExcludedRanges = %+v, want the incident's bucket 09:00-10:00", rs)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run() = %v", err)
	}

	_, _, stop = runSlackDaemon(t, path, statePath, srv)
	time.Sleep(500 * time.Millisecond) // the first evaluations run at start
	if err := stop(); err != nil {
		t.Fatalf("Run() after the restart = %v", err)
	}
	if got := srv.TopLevel(alertsID); len(got) != 1 {
		t.Errorf("after the restart: %d top-level messages, want still 1", len(got))
	}
}

// TestDaemonSlackDigestRestart: a daemon whose Slack alerts go only into a
// digest collects the incident and is stopped before the digest is due;
// the daemon started again posts it on its schedule, once.
func TestDaemonSlackDigestRestart(t *testing.T) {
	srv := slacktest.New(t, testBotToken, testAppToken)
	srv.AddChannel(slacktest.Channel{ID: alertsID, Name: "alerts", Member: true})
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.db")
	path := slackDaemonConfig(t, dir, `, digest: "0 0 1 1 *", digest_only: true`) // not due during the test
	d, _, stop := runSlackDaemon(t, path, statePath, srv)
	eventually(t, "the incident collected for the digest", func() bool {
		items, err := d.store.DigestItems("team")
		return err == nil && len(items) == 1
	})
	if err := stop(); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if got := srv.TopLevel(alertsID); len(got) != 0 {
		t.Fatalf("digest only: %d messages before the digest, want none", len(got))
	}

	path = slackDaemonConfig(t, dir, `, digest: "@every 1s", digest_only: true`)
	d, _, stop = runSlackDaemon(t, path, statePath, srv)
	eventually(t, "the digest posted", func() bool { return len(srv.TopLevel(alertsID)) > 0 })
	posted, err := d.store.DigestFlushes("team")
	check(t, err)
	eventually(t, "a later flush, with nothing left to post", func() bool {
		n, err := d.store.DigestFlushes("team")
		return err == nil && n > posted
	})
	if err := stop(); err != nil {
		t.Fatalf("Run() after the restart = %v", err)
	}
	got := srv.TopLevel(alertsID)
	if len(got) != 1 || !strings.Contains(got[0].Text, "vigil digest: 1 incident") || strings.Count(got[0].Text, "• *") != 1 {
		t.Errorf("messages after the restart %+v, want one digest listing the incident", got)
	}
}
