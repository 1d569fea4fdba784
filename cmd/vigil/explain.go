package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"vigil/config"
	"vigil/internal/engine"
)

var explainCommand = command{
	name:    "explain",
	summary: "say which segments drove a metric's move at a given time",
	help:    explainHelp,
	run:     runExplain,
}

const explainHelp = `Usage: vigil explain --metric NAME --at TIME [--config FILE] [--format text|json]

Evaluate the rule of metric NAME on the bucket that contains TIME, as
"vigil once" would judge it, then break that bucket down by the rule's
dimensions and say which segments drove the metric away from its expected
value. It works on any bucket, anomalous or not, settled or not (a bucket
still filling up is noted). Nothing is sent to notifiers.

How: the metric is fetched per value of each dimension in the bucket and
in the baseline buckets the detector compared it with (the same slot in
past seasons), in one query per level; the baseline is scaled to the
expected value, and each segment's change is its share of the move. When
one dimension does not explain enough, pairs and then triples of the
dimensions whose values stand out are searched. Ratio metrics split each
segment's part into a mix effect (its share of the denominator moved) and
a rate effect (its ratio moved).

Output, text: the detector's verdict on the bucket, the explanation as a
sentence, a table of the top contributors (segment, actual, expected,
change, share of the move; mix and rate effects for ratios), the
dimensions ranked, and notes (limits reached, data problems).

Output, json: the explanation as one object: metric, at, actual, expected,
delta, sentence, verdict (explained, offsetting, partial, broad or noise),
explained_share, explained_by, contributors (segment as a map of dimension
to value, actual, expected, delta, share; mix_effect and rate_effect for
ratios), dimensions (name, surprise, explanatory_power, segments),
breakdowns, queries and notes.

Flags:
  --config FILE        the config file (default vigil.yaml)
  --metric NAME        the metric (rule) to explain; required
  --at TIME            a time inside the bucket to explain; required: RFC 3339
                       (2024-03-05T14:00:00+01:00), "2006-01-02 15:04" or
                       2006-01-02T15:04; UTC unless it carries an offset
  --format FORMAT      text or json (default text)
  --top N              contributors in the text table (default 10)
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil explain --config vigil.yaml --metric orders --at "2024-03-05 14:00"
  vigil explain --metric conversion --at 2024-03-05T14:00:00+01:00 --format json | jq '.contributors[0]'

Exit codes:
  0  the bucket was explained
  1  bad flags, a config that does not load or build, an unknown metric or
     one without dimensions
  2  the rule could not be evaluated on that bucket or the bucket not
     explained (no expected value, a failed breakdown query)
`

func runExplain(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil explain", stderr, g)
	path := fs.String("config", "vigil.yaml", "the config file")
	metric := fs.String("metric", "", "the metric to explain")
	atText := fs.String("at", "", "a time inside the bucket to explain")
	format := fs.String("format", "text", "text or json")
	top := fs.Int("top", 10, "contributors in the text table")
	if code, ok := parse(fs, args, stdout, helpOf(explainHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "vigil explain:", err)
		return code
	}
	if err := explainFlags(*metric, *atText, *format, *top); err != nil {
		return fail(exitConfig, err)
	}
	at, err := parseTime(*atText)
	if err != nil {
		return fail(exitConfig, fmt.Errorf("--at: %w", err))
	}
	log, err := g.logger(stderr)
	if err != nil {
		return fail(exitConfig, err)
	}
	cfg, err := config.Load(*path)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	if err := explainable(cfg, *metric); err != nil {
		return fail(exitConfig, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e, err := engine.Build(ctx, cfg, engine.Options{Logger: log})
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	defer e.Close()
	res, x, err := e.Explain(ctx, *metric, at)
	if err != nil {
		return fail(exitFailed, err)
	}
	if *format == "json" {
		err = writeJSON(stdout, x)
	} else {
		err = writeExplanation(stdout, res, x, *top)
	}
	if err != nil {
		return fail(exitFailed, err)
	}
	return exitOK
}

func explainFlags(metric, at, format string, top int) error {
	var errs []error
	if metric == "" {
		errs = append(errs, errors.New("--metric is required"))
	}
	if at == "" {
		errs = append(errs, errors.New("--at is required"))
	}
	if format != "text" && format != "json" {
		errs = append(errs, fmt.Errorf("--format %q: want text or json", format))
	}
	if top < 1 {
		errs = append(errs, fmt.Errorf("--top %d: want at least 1", top))
	}
	if len(errs) > 0 {
		errs = append(errs, errors.New(`run "vigil explain --help" for usage`))
	}
	return errors.Join(errs...)
}

// explainable reports a metric that is unknown or has no dimensions, before
// anything is opened.
func explainable(cfg *config.Config, name string) error {
	i := slices.IndexFunc(cfg.Metrics, func(m config.Metric) bool { return m.Name == name })
	if i < 0 {
		var have []string
		for _, m := range cfg.Metrics {
			have = append(have, m.Name)
		}
		return fmt.Errorf("--metric %q: no such metric; the metrics are: %s", name, strings.Join(have, ", "))
	}
	if m := cfg.Metrics[i]; len(m.Dimensions) == 0 {
		return fmt.Errorf("metric %q has no dimensions to break it down by; list columns under dimensions in its rule (%s)", name, m.Pos)
	}
	return nil
}

func writeJSON(w io.Writer, x any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}
