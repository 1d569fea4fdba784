package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"vigil/config"
)

var backtestCommand = command{
	name:    "backtest",
	summary: "replay rules, or a method on a CSV file, over past data",
	help:    backtestHelp,
	run:     runBacktest,
}

var backtestHelp = `Usage:
  vigil backtest --config FILE [--rule NAME]... --from TIME [--to TIME] [--shard I/N] [--labels FILE]
  vigil backtest --input FILE --method NAME [method flags] [--granularity D]
                 [--timezone ZONE] [--output FILE] [--labels FILE]

See what detection would have said about past data before trusting it
with alerts: which alerts a rule would have fired, how often, and, given
the anomalies you know of, how many it finds and how many it invents.

Rules from a config (--config):
  Each rule (or each --rule) is replayed as the daemon would have run it
  between --from and --to: the buckets that start at or after --from and
  had settled by --to (the rule's delay passed: a bucket the daemon would
  not yet have judged at --to is left out), each judged only from the data
  before it, by the rule's own source, method and guards, at the times its
  schedule runs. Each rule costs one query and one pass of its method.
  Nothing is sent to notifiers.

  stdout lists every alert that would have fired (rule, bucket in the
  rule's timezone, value, expected, band, change, reason), then a summary
  per rule: the buckets replayed, how many were judged, alerts, incidents
  (runs of alerts; a bucket judged normal ends one, a missing one does
  not), alerts per week and the longest incident with its start. A
  progress bar is drawn on stderr when it is a terminal.

  Feedback: what people said about alerts in Slack (Not an anomaly,
  confirmed, acknowledged) is kept in the daemon's state file (state: in
  the config). The backtest reads it for the buckets of the range, and
  adds a table per rule: the buckets marked not an anomaly and
  how many the rule would still alert on (the false alarms its settings
  keep making), the buckets confirmed as anomalies and how many it would
  alert on, and the acknowledged incidents and how many it would alert on.
  Hint lines name, from the z-scores and changes of those buckets, the
  sensitivity, threshold, min_rel_delta or min_delta that would silence the
  remaining false alarms, and how many of the confirmed anomalies each
  keeps. Feedback is separate from --labels: labels are windows you give,
  feedback is what people said about live alerts, and neither changes the
  other.

  The state also keeps the replay's baselines as the daemon's: the buckets
  of past incidents (detect.exclude.incidents) and of confirmed anomalies
  (detect.exclude.feedback) are left out of them, as they were live.

  The backtest reads a copy of the state, made in a temporary folder and
  removed at the end: it never writes the state file, and holds it, shared
  with other readers, only while the copy is made. A running daemon holds
  the state file for as long as it runs; the backtest then copies the
  snapshot the daemon keeps beside it (vigil-state.db.snapshot for
  vigil-state.db, rewritten a few seconds after each change) and says on
  stderr how old it is ("feedback as of 14:05:12, 40 s ago, from the
  daemon's snapshot ..."). When neither can be read it says so on stderr
  and reports without feedback, with past incidents left in the baselines.

  seasonal, change, threshold and freshness judge each bucket exactly as
  the daemon did live. stl, holt_winters and cusum fit from where the data
  they are given starts, and auto chooses its method once, from the data
  before --from, so they may judge a bucket a little differently.

A CSV file (--input):
  The file needs a header row with the columns timestamp and value (any
  case; other columns are ignored). Timestamps are ISO 8601 / RFC 3339,
  "2024-03-01 14:00:00" or a date, UTC unless they carry an offset; values
  are numbers, and empty, NaN, null, NA or none mark a missing value. Rows
  are placed on a regular grid of --granularity (inferred from the spacing
  when not given) and judged with the method the flags describe, exactly as
  a rule with those detect settings would judge them: each row only from
  the rows before it.

  The output has one row per input row, in input order, under the header
  timestamp,value,expected,lower,upper,score,anomaly: the timestamp as
  given, the method's expected value and band (empty before there is
  enough history), a score from 0 (as expected) to 1, and anomaly 1 or 0.
  Rows before enough history and rows with a missing value score 0. A
  one-line summary goes to stderr: rows, rows judged, anomalies, the
  granularity and whether it was inferred.

Flags for rules:
  --config FILE          the config file (default vigil.yaml)
  --rule NAME            replay only this rule; repeat for several
  --from TIME            the first bucket: RFC 3339 (2024-03-05T14:00:00+01:00),
                         "2024-03-05 14:00", a date (2024-03-05), or a duration
                         before --to (4w); UTC unless it carries an offset
  --to TIME              when the replay ends, as --from (a duration is before
                         now); default and at most now
` + shardHelp(25) + `
Flags for a CSV file:
  --input FILE           the CSV to judge
  --output FILE          where to write the verdicts; - or none for stdout
  --granularity D        the bucket length (15m, 1h, 1d); default inferred
  --timezone ZONE        zone of daily buckets and seasonal slots (default UTC)
  --method NAME          seasonal, stl, holt_winters, cusum, change, threshold,
                         freshness or auto (default seasonal)
  --seasonality S        daily, weekly, none, or daily,weekly
  --history D            how far back the baseline looks (seasonal, auto)
  --sensitivity S        low, medium or high
  --threshold Z          a robust z-score instead of --sensitivity
  --direction D          up, down or both
  --min-delta X          smallest absolute change that alerts
  --min-rel-delta X      smallest change relative to expected (0.05 or 5%)
  --min-volume X         smallest value that can alert
  --consecutive N        breaches in a row before a bucket alerts
  --detect 'K: V, ...'   any other detect settings of a rule, in YAML
                         ('period: 1d, robust: false'); see the config
                         reference. A setting goes in a flag or in --detect,
                         not both. Every setting is checked as in a config file.

Flags for both:
  --labels FILE          known anomalies, to score the alerts: JSON (a list of
                         {"start": T, "end": T}, [start, end] or timestamps) or
                         CSV (start,end or timestamp[,label]); every rule is
                         scored against the same labels. Adds precision, recall
                         and F1 to the summary, counted in events: a labelled
                         window (windows with no bucket between them are one)
                         is found when an alert falls inside it; each run of
                         alerts outside every window is one false alarm.
                         Buckets before the method can judge are left out
  --log-level LEVEL      debug, info, warn or error (default info)
  --log-format FORMAT    text or json (default text)

Examples:
  vigil backtest --config vigil.yaml --from 8w
  vigil backtest --config vigil.yaml --rule orders --from 2024-01-01 --to 2024-03-01 --labels incidents.json
  vigil backtest --input orders.csv --method seasonal --seasonality weekly --history 8w --output verdicts.csv
  vigil backtest --input signups.csv --method stl --detect 'period: 1d, robust: true' --sensitivity high
  vigil backtest --input latency.csv --granularity 5m --method threshold --detect 'upper: 250' --labels outages.csv

Exit codes:
  0  the replay ran (alerts or not)
  1  bad flags, a config that does not load or build, or bad input (a bad CSV
     row is named by file and line)
  2  a rule, or the method on the file, failed
`

// backtestFlags are the flags of vigil backtest.
type backtestFlags struct {
	fs                *flag.FlagSet
	config, from, to  string
	rules             names
	labels            string
	input, output     string
	granularity, zone string
	detect            string
	shard             *string            // --shard, for rules
	method            map[string]*string // method flag → its value
}

// methodFlags are the method flags in the order they are listed, each
// with the detect key it sets.
var methodFlags = []struct{ flag, key string }{
	{"method", "method"}, {"seasonality", "seasonality"}, {"history", "history"},
	{"sensitivity", "sensitivity"}, {"threshold", "threshold"}, {"direction", "direction"},
	{"min-delta", "min_delta"}, {"min-rel-delta", "min_rel_delta"}, {"min-volume", "min_volume"},
	{"consecutive", "consecutive"},
}

func newBacktestFlags(stderr io.Writer, g *globals) *backtestFlags {
	f := &backtestFlags{fs: newFlagSet("vigil backtest", stderr, g), method: map[string]*string{}}
	fs := f.fs
	fs.StringVar(&f.config, "config", "vigil.yaml", "the config file")
	fs.Var(&f.rules, "rule", "replay only this rule; repeat for several")
	fs.StringVar(&f.from, "from", "", "the first bucket")
	fs.StringVar(&f.to, "to", "", "when the replay ends")
	fs.StringVar(&f.labels, "labels", "", "known anomalies, JSON or CSV")
	fs.StringVar(&f.input, "input", "", "the CSV to judge")
	fs.StringVar(&f.output, "output", "", "where to write the verdicts")
	fs.StringVar(&f.granularity, "granularity", "", "the bucket length")
	fs.StringVar(&f.zone, "timezone", "", "zone of daily buckets and seasonal slots")
	fs.StringVar(&f.detect, "detect", "", "detect settings in YAML")
	f.shard = shardFlag(fs)
	for _, m := range methodFlags {
		f.method[m.flag] = fs.String(m.flag, "", "detect setting "+m.key)
	}
	return f
}

// set returns the names of the flags given on the command line.
func (f *backtestFlags) set() []string {
	var out []string
	f.fs.Visit(func(fl *flag.Flag) { out = append(out, fl.Name) })
	return out
}

// checkMode reports flags that belong to the other mode.
func (f *backtestFlags) checkMode() error {
	given := f.set()
	fileOnly := []string{"output", "granularity", "timezone", "detect"}
	for _, m := range methodFlags {
		fileOnly = append(fileOnly, m.flag)
	}
	if f.input != "" {
		for _, name := range []string{"config", "rule", "from", "to", "shard"} {
			if slices.Contains(given, name) {
				return fmt.Errorf("--%s is for replaying rules; with --input the flags describe the method", name)
			}
		}
		return nil
	}
	for _, name := range fileOnly {
		if slices.Contains(given, name) {
			return fmt.Errorf("--%s is for a CSV file given with --input; a rule's settings come from its config", name)
		}
	}
	if f.from == "" {
		return fmt.Errorf("--from is required: the first bucket to replay, e.g. --from 2024-03-01 or --from 4w (four weeks before --to)")
	}
	return nil
}

func runBacktest(args []string, stdout, stderr io.Writer, g *globals) int {
	f := newBacktestFlags(stderr, g)
	if code, ok := parse(f.fs, args, stdout, helpOf(backtestHelp)); !ok {
		return code
	}
	if extra(f.fs, stderr) {
		return exitConfig
	}
	log, err := g.logger(stderr)
	if err == nil {
		err = f.checkMode()
	}
	if err != nil {
		fmt.Fprintln(stderr, "vigil backtest:", err)
		return exitConfig
	}
	if f.input != "" {
		return backtestFile(f, stdout, stderr)
	}
	return backtestRules(f, stdout, stderr, log)
}

// parseWhen reads a time as parseTime does, or a date, or a duration
// before ref.
func parseWhen(s string, ref time.Time) (time.Time, error) {
	if t, err := parseTime(s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), time.UTC); err == nil {
		return t, nil
	}
	if d, err := config.ParseDuration(strings.TrimSpace(s)); err == nil && d > 0 {
		return ref.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2024-03-05T14:00:00Z), \"2024-03-05 14:00\", a date (2024-03-05) or a duration before it (4w)", s)
}
