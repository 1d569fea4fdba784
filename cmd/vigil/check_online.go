package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/engine"
	"vigil/notifiers/slack"
	"vigil/sources"
)

// runOnline runs checkOnline until done or interrupted, and returns the
// exit code.
func runOnline(cfg *config.Config, stdout, stderr io.Writer, log *slog.Logger) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if n := checkOnline(ctx, cfg, stdout, stderr, log, time.Now()); n > 0 {
		fmt.Fprintf(stderr, "vigil check: %d online check(s) failed\n", n)
		return exitFailed
	}
	return exitOK
}

// onlineBuckets is how many of the latest settled buckets the dry run of a
// rule's query asks for: enough to see the columns and their types, little
// enough to be cheap.
const onlineBuckets = 3

// checkOnline opens every source, runs each rule's query over its latest
// settled buckets within the rule's timeout, and checks each notifier's
// credentials where it can. It prints one line per check on stdout and
// each problem on stderr, and returns the number of problems.
func checkOnline(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer, log *slog.Logger, now time.Time) int {
	problems := 0
	fail := func(format string, args ...any) {
		problems++
		fmt.Fprintf(stderr, format+"\n", args...)
	}
	srcs := map[string]sources.Source{}
	for _, name := range sortedNames(cfg.Sources) {
		sc := cfg.Sources[name]
		src, err := engine.OpenSource(ctx, sc, now)
		if err != nil {
			fail("%s: source %q: cannot open: %v", sc.Pos, name, err)
			continue
		}
		if c, ok := src.(io.Closer); ok {
			defer c.Close()
		}
		srcs[name] = src
		fmt.Fprintf(stdout, "ok    source %s opened\n", name)
	}
	for _, m := range cfg.Metrics {
		src, ok := srcs[m.Source]
		if !ok {
			fail("%s: rule %q: not run: its source %q did not open", m.Pos, m.Name, m.Source)
			continue
		}
		d, n, err := dryRun(ctx, m, src, cfg.Defaults.Timeout, now)
		if err != nil {
			fail("%s: rule %q: query failed: %s", m.Pos, m.Name, firstParagraph(strings.TrimPrefix(err.Error(), fmt.Sprintf("rule %q: ", m.Name))))
			continue
		}
		fmt.Fprintf(stdout, "ok    rule %s: query ran in %s (%d of %d buckets with data)\n", m.Name, d.Round(time.Millisecond), n, onlineBuckets)
	}
	for _, name := range sortedNames(cfg.Notifiers) {
		status, msg, err := checkNotifier(ctx, cfg.Notifiers[name], log, "")
		if err != nil {
			fail("%s: notifier %q: %v", cfg.Notifiers[name].Pos, name, err)
			continue
		}
		fmt.Fprintf(stdout, "%-5s notifier %s: %s\n", status, name, msg)
	}
	return problems
}

// dryRun queries m's latest settled buckets within timeout and returns how
// long it took and how many buckets held data.
func dryRun(ctx context.Context, m config.Metric, src sources.Source, timeout time.Duration, now time.Time) (time.Duration, int, error) {
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	latest := engine.LatestSettled(now, m.Granularity, m.Delay, loc)
	grid := detector.Series{Start: latest, Step: m.Granularity, Loc: loc}
	q := sources.Query{
		Rule: m.Name, Table: m.Table, Timestamp: m.Timestamp, Value: m.Value,
		Numerator: m.Numerator, Denominator: m.Denominator, Filter: m.Filter, SQL: m.SQL,
		Granularity: m.Granularity, Location: loc, FillZero: m.FillZero,
		From: grid.Time(-(onlineBuckets - 1)), To: grid.Time(1),
	}
	start := time.Now()
	s, err := src.Query(ctx, q)
	took := time.Since(start)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return took, 0, fmt.Errorf("did not finish within the timeout of %s (defaults.timeout)", config.FormatDuration(timeout))
	}
	if err != nil {
		return took, 0, err
	}
	n := 0
	for _, v := range s.Values {
		if v == v { // not NaN
			n++
		}
	}
	return took, n, nil
}

// checkNotifier checks a notifier's credentials: Slack's token and
// channel with Slack itself (at slackAPI, empty for Slack's own); a webhook
// is not called, since any request would post to it.
func checkNotifier(ctx context.Context, nc config.Notifier, log *slog.Logger, slackAPI string) (status, msg string, err error) {
	switch nc.Type {
	case "slack":
		if nc.Disabled || nc.Token == "" {
			return "skip", "its token is empty, so it is skipped", nil
		}
		so := engine.SlackOptions(nc, "")
		so.Logger, so.APIURL = log, slackAPI
		n, err := slack.New(so)
		if err != nil {
			return "", "", err
		}
		if err := n.Check(ctx); err != nil {
			return "", "", err
		}
		return "ok", "token and channel work", nil
	case "webhook":
		return "skip", "not checked: a webhook cannot be called without posting to it", nil
	}
	return "ok", "nothing to check", nil
}

// firstParagraph keeps a database error to its message, on one line: the
// text up to the first blank line (DuckDB follows it with the query and a
// caret).
func firstParagraph(s string) string {
	s, _, _ = strings.Cut(s, "\n\n")
	return strings.Join(strings.Fields(s), " ")
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
