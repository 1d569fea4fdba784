package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"vigil/config"
	"vigil/internal/backtest"
	"vigil/internal/humanize"
	"vigil/internal/methods"
)

// backtestFile judges a CSV file with the method the flags describe and
// writes one verdict per row.
func backtestFile(f *backtestFlags, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		printErrors(prefixed{stderr, "vigil backtest: "}, err)
		return code
	}
	spec, err := f.detectSpec()
	if err != nil {
		return fail(exitConfig, err)
	}
	opts, err := f.readOptions()
	if err != nil {
		return fail(exitConfig, err)
	}
	labels, err := readLabels(f.labels)
	if err != nil {
		return fail(exitConfig, err)
	}
	in, err := readInput(f.input, opts)
	if err != nil {
		return fail(exitConfig, err)
	}
	m, err := config.ParseDetect(spec, in.Granularity, f.zone)
	if err != nil {
		return fail(exitConfig, explainGranularity(err, in))
	}
	det, desc, err := methods.Build(m)
	if err != nil {
		return fail(exitConfig, err)
	}
	rows, err := backtest.Run(det, in)
	if err != nil {
		return fail(exitFailed, fmt.Errorf("%s: %w", f.input, err))
	}
	if err := writeOutput(f.output, stdout, rows); err != nil {
		return fail(exitConfig, err)
	}
	if n := in.Shared(); n > 0 {
		fmt.Fprintf(stderr, "warning: %d rows share a bucket with another row: the granularity %s may be coarser than the data; set --granularity\n",
			n, humanize.Duration(in.Granularity))
	}
	fmt.Fprintln(stderr, fileSummary(f.input, in, rows, desc, labels))
	return exitOK
}

// readOptions reads --granularity and --timezone.
func (f *backtestFlags) readOptions() (backtest.Options, error) {
	var o backtest.Options
	if f.granularity != "" {
		g, err := config.ParseDuration(f.granularity)
		if err != nil || g <= 0 {
			return o, fmt.Errorf("--granularity %q: want a bucket length such as 15m, 1h or 1d", f.granularity)
		}
		o.Granularity = g
	}
	if f.zone != "" && f.zone != "Local" { // Local is refused with the detect settings
		loc, err := time.LoadLocation(f.zone)
		if err != nil {
			return o, fmt.Errorf("--timezone %q: unknown zone; use an IANA name such as UTC or Europe/Berlin", f.zone)
		}
		o.Location = loc
	}
	return o, nil
}

// readLabels reads --labels; nil without it.
func readLabels(path string) (*[]backtest.Window, error) {
	if path == "" {
		return nil, nil
	}
	ws, err := backtest.ReadLabels(path)
	return &ws, err
}

var csvLine = regexp.MustCompile(`^csv: line (\d+): `)

// readInput reads the CSV at path; a problem names the file and the line,
// as file:line: message.
func readInput(path string, o backtest.Options) (backtest.Input, error) {
	fh, err := os.Open(path)
	if err != nil {
		return backtest.Input{}, err
	}
	defer fh.Close()
	in, err := o.ReadCSV(fh)
	if err != nil {
		msg := err.Error()
		if m := csvLine.FindStringSubmatch(msg); m != nil {
			return in, fmt.Errorf("%s:%s: %s", path, m[1], msg[len(m[0]):])
		}
		return in, fmt.Errorf("%s: %s", path, strings.TrimPrefix(msg, "csv: "))
	}
	return in, nil
}

// explainGranularity adds to a granularity problem that it was inferred.
func explainGranularity(err error, in backtest.Input) error {
	var errs *config.Errors
	if !in.Inferred || !errors.As(err, &errs) {
		return err
	}
	out := make([]error, len(*errs))
	for i, e := range *errs {
		out[i] = e
		if e.Path == "granularity" {
			out[i] = fmt.Errorf("%w (inferred from the timestamps); set --granularity", e)
		}
	}
	return errors.Join(out...)
}

// writeOutput writes the verdicts to path, or to stdout for "" and "-".
func writeOutput(path string, stdout io.Writer, rows []backtest.Row) error {
	if path == "" || path == "-" {
		return backtest.WriteCSV(stdout, rows)
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := backtest.WriteCSV(fh, rows); err != nil {
		fh.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return fh.Close()
}

// fileSummary is the one-line summary of a file's verdicts.
func fileSummary(path string, in backtest.Input, rows []backtest.Row, desc methods.Description, labels *[]backtest.Window) string {
	judged, anomalies := 0, 0
	var first time.Time
	for _, r := range rows {
		if r.Judged() {
			judged++
			if first.IsZero() || r.Time.Before(first) {
				first = r.Time
			}
		}
		if r.Anomaly {
			anomalies++
		}
	}
	how := "given"
	if in.Inferred {
		how = "inferred"
	}
	s := fmt.Sprintf("%s: %s, %d judged, %s; granularity %s (%s); %s", path, plural(len(rows), "row", "rows"),
		judged, plural(anomalies, "anomaly", "anomalies"), humanize.Duration(in.Granularity), how, desc.Text)
	if judged == 0 && len(rows) > 1 {
		span := rows[len(rows)-1].Time.Sub(rows[0].Time)
		s += fmt.Sprintf("; nothing judged: %s of data is too little history for this method", humanize.Span(span))
		if desc.History > 0 {
			s += fmt.Sprintf(", which reads up to %s before a bucket", humanize.Span(desc.History))
		}
	}
	if labels != nil {
		m := backtest.Score(rows, *labels, backtest.ScoreOptions{From: first})
		s += "; " + metricsText(m)
	}
	return s
}

// plural writes n with the noun's singular or plural form.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// metricsText words event-based metrics.
func metricsText(m backtest.Metrics) string {
	return fmt.Sprintf("precision %.2f, recall %.2f, F1 %.2f (%d of %s found, %s)", m.Precision, m.Recall, m.F1,
		m.TP, plural(m.TP+m.FN, "labelled event", "labelled events"), plural(m.FP, "false alarm", "false alarms"))
}

// prefixed writes each line with a prefix, for printErrors.
type prefixed struct {
	w      io.Writer
	prefix string
}

func (p prefixed) Write(b []byte) (int, error) {
	var out []byte
	for line := range strings.Lines(string(b)) {
		out = append(out, p.prefix...)
		out = append(out, line...)
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
