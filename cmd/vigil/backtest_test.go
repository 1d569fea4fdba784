package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seriesArgs judge testdata/backtest/series.csv: 6-hourly rows with a
// daily cycle, a missing value, a row 5 minutes late, a row left out and a
// spike, with a daily seasonal baseline of 3 days.
var seriesArgs = []string{"backtest", "--input", "series.csv", "--method", "seasonal", "--seasonality", "daily", "--history", "3d"}

func testdata(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "backtest"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// goldenFile compares got with the file, or rewrites it under -update.
func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/vigil -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func readCSV(t *testing.T, text string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, text)
	}
	return rows
}

// TestBacktestFileGolden checks the file mode's output against a golden
// file and against the contract the golden file must meet.
func TestBacktestFileGolden(t *testing.T) {
	dir := testdata(t)
	out, errOut, code := vigil(t, dir, append(seriesArgs, "--output", "-")...)
	if code != exitOK {
		t.Fatalf("vigil %v = %d, stderr %q", seriesArgs, code, errOut)
	}
	goldenFile(t, filepath.Join(dir, "series.golden.csv"), out)
	want := "series.csv: 23 rows, 8 judged, 1 anomaly; granularity 6h (inferred); seasonal (daily, 3 seasons), medium sensitivity\n"
	if errOut != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}

	in, err := os.ReadFile(filepath.Join(dir, "series.csv"))
	if err != nil {
		t.Fatal(err)
	}
	input, rows := readCSV(t, string(in)), readCSV(t, out)
	if strings.Join(rows[0], ",") != "timestamp,value,expected,lower,upper,score,anomaly" || len(rows) != len(input) {
		t.Fatalf("output has header %v and %d rows, want the contract's header and %d rows", rows[0], len(rows)-1, len(input)-1)
	}
	anomalies := map[string]bool{}
	for i, r := range rows[1:] {
		ts, value, expected, score, anomaly := r[0], r[1], r[2], r[5], r[6]
		if ts != input[i+1][0] {
			t.Errorf("row %d timestamp %q, want %q (input order, as given)", i+1, ts, input[i+1][0])
		}
		s, err := strconv.ParseFloat(score, 64)
		if err != nil || s < 0 || s > 1 || (anomaly != "0" && anomaly != "1") {
			t.Errorf("row %d score %q anomaly %q, want a score in [0,1] and 0 or 1", i+1, score, anomaly)
		}
		if (expected == "" || value == "") && (s != 0 || anomaly != "0") {
			t.Errorf("row %d (%s) unjudged or missing but scores %q, anomaly %q", i+1, ts, score, anomaly)
		}
		anomalies[ts] = anomaly == "1"
	}
	if !anomalies["2024-03-05T12:00:00Z"] || rows[1][2] != "" {
		t.Errorf("want the spike at 2024-03-05T12:00:00Z flagged and the first row unjudged")
	}

	// --output FILE writes the same, and nothing to stdout.
	path := filepath.Join(t.TempDir(), "out.csv")
	out, _, code = vigil(t, dir, append(seriesArgs, "--output", path)...)
	written, err := os.ReadFile(path)
	if code != exitOK || out != "" || err != nil || string(written) != string(rows2text(rows)) {
		t.Errorf("--output %s = %d, stdout %q, file %v; want 0, nothing, the same CSV", path, code, out, err)
	}
}

func rows2text(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

// TestBacktestFileTruncation cuts the input after every row: the verdicts
// on the rows kept never change, so no verdict depends on a later row.
func TestBacktestFileTruncation(t *testing.T) {
	dir := testdata(t)
	args := append(seriesArgs, "--granularity", "6h") // one row alone has no spacing to infer
	full, errOut, code := vigil(t, dir, args...)
	if code != exitOK {
		t.Fatalf("vigil %v = %d, stderr %q", args, code, errOut)
	}
	want := strings.Split(strings.TrimSuffix(full, "\n"), "\n")
	in, err := os.ReadFile(filepath.Join(dir, "series.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(in), "\n"), "\n")
	tmp := t.TempDir()
	for k := 2; k < len(lines); k++ {
		cut := filepath.Join(tmp, "cut.csv")
		if err := os.WriteFile(cut, []byte(strings.Join(lines[:k], "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cargs := append([]string{"backtest", "--input", cut}, args[3:]...)
		out, errOut, code := vigil(t, dir, cargs...)
		if code != exitOK {
			t.Fatalf("first %d rows: exit %d, stderr %q", k-1, code, errOut)
		}
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(got) != k {
			t.Fatalf("first %d rows: %d output rows", k-1, len(got)-1)
		}
		for i := 1; i < k; i++ {
			if got[i] != want[i] {
				t.Errorf("row %d judged on the first %d rows = %q, on all rows %q", i, k-1, got[i], want[i])
			}
		}
	}
}

func TestBacktestFileLabels(t *testing.T) {
	dir := testdata(t)
	tests := []struct {
		labels string
		want   string
	}{
		// The spike is labelled and found; a labelled window of normal rows is missed.
		{"labels.json", "; precision 1.00, recall 0.50, F1 0.67 (1 of 2 labelled events found, 0 false alarms)\n"},
		// Two labelled points in a row are one event, missed; the spike is a false alarm.
		{"labels.csv", "; precision 0.00, recall 0.00, F1 0.00 (0 of 1 labelled event found, 1 false alarm)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.labels, func(t *testing.T) {
			_, errOut, code := vigil(t, dir, append(seriesArgs, "--labels", tt.labels)...)
			if code != exitOK || !strings.HasSuffix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("--labels %s = %d, stderr %q; want 0 and one line ending %q", tt.labels, code, errOut, tt.want)
			}
		})
	}
}

func TestBacktestFileErrors(t *testing.T) {
	dir := testdata(t)
	tmp := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T01:00:00Z,2\n2024-03-01T02:00:00Z,1.2.3\n")
	odd := write("odd.csv", "timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T00:07:00Z,2\n2024-03-01T00:14:00Z,3\n")
	negative := write("negative.csv", strings.Replace(readFile(t, filepath.Join(dir, "series.csv")), ",53\n", ",-53\n", 1))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad row", []string{"--input", bad}, exitConfig, bad + `:4: value "1.2.3" is not a number`},
		{"no file", []string{"--input", "nosuch.csv"}, exitConfig, "nosuch.csv"},
		{"unknown method", []string{"--input", "series.csv", "--method", "bogus", "--sensitivity", "loud"}, exitConfig,
			"detect.method: unknown method \"bogus\"" + `*vigil backtest: detect.sensitivity: unknown sensitivity "loud"`},
		{"flag and --detect", []string{"--input", "series.csv", "--history", "3d", "--detect", "history: 4d"}, exitConfig,
			"--history and --detect both set history; give it once"},
		{"bad --detect", []string{"--input", "series.csv", "--detect", "{method: stl"}, exitConfig, "--detect: invalid YAML"},
		{"key of another method", []string{"--input", "series.csv", "--detect", "period: 1d"}, exitConfig,
			"detect.period: does not apply to method seasonal"},
		{"granularity given", []string{"--input", "series.csv", "--granularity", "7m"}, exitConfig,
			"granularity: must divide one day evenly"},
		{"granularity inferred", []string{"--input", odd}, exitConfig, "got 7m (inferred from the timestamps); set --granularity"},
		{"bad zone", []string{"--input", "series.csv", "--timezone", "Mars/Base"}, exitConfig, `--timezone "Mars/Base"`},
		{"no labels", []string{"--input", "series.csv", "--labels", "nosuch.json"}, exitConfig, "nosuch.json"},
		{"rule flags", []string{"--input", "series.csv", "--from", "2w"}, exitConfig, "--from is for replaying rules"},
		{"method flags without input", []string{"--method", "stl", "--from", "2w"}, exitConfig, "--method is for a CSV file given with --input"},
		{"no --from", []string{"--config", "vigil.yaml"}, exitConfig, "--from is required"},
		{"method fails", []string{"--input", negative, "--method", "holt_winters", "--seasonality", "daily", "--detect", "multiplicative: true"},
			exitFailed, "multiplicative holt-winters needs positive values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := vigil(t, dir, append([]string{"backtest"}, tt.args...)...)
			if code != tt.code || out != "" || !containsAll(errOut, strings.Split(tt.want, "*")) {
				t.Errorf("vigil backtest %v = %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out, errOut, tt.code, tt.want)
			}
		})
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBacktestHelp(t *testing.T) {
	out, errOut, code := vigil(t, t.TempDir(), "backtest", "--help")
	if code != exitOK || errOut != "" {
		t.Fatalf("backtest --help = %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Usage:", "--config FILE", "--input FILE", "--detect", "--labels FILE",
		"timestamp,value,expected,lower,upper,score,anomaly", "Not an anomaly", "state file", "separate from --labels",
		"Examples:", "Exit codes:"} {
		if !strings.Contains(out, want) {
			t.Errorf("backtest --help lacks %q", want)
		}
	}
	if help, _, _ := vigil(t, t.TempDir(), "help", "backtest"); help != out {
		t.Errorf("help backtest differs from backtest --help")
	}
}

// TestBacktestFileTooShort checks that a file too short for the method says
// so, rather than only "0 judged".
func TestBacktestFileTooShort(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 24 * 20 {
		fmt.Fprintf(&b, "%s,%d\n", start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), 100+i%24)
	}
	if err := os.WriteFile(filepath.Join(dir, "short.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := vigil(t, dir, "backtest", "--input", "short.csv", "--method", "seasonal", "--output", "out.csv")
	want := "0 judged, 0 anomalies; granularity 1h (inferred); seasonal (weekly, 8 seasons), medium sensitivity; " +
		"nothing judged: 20 days of data is too little history for this method, which reads up to 13.3 weeks before a bucket\n"
	if code != exitOK || !strings.HasSuffix(errOut, want) {
		t.Errorf("backtest of 20 days = %d, stderr %q; want 0 and a line ending %q", code, errOut, want)
	}
}
