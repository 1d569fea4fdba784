package config

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// Secrets the tests put in the environment.
const (
	testToken    = "xoxb-1111-2222-SECRETTOKEN"
	testPassword = "hunter2-PASSWORD"
	testDSN      = "clickhouse://vigil:" + testPassword + "@ch.internal:9000/analytics?dial_timeout=2s"
	testHook     = "https://hooks.example.com/services/T000/SECRETHOOK"
)

func setSecrets(t *testing.T) {
	t.Helper()
	t.Setenv("CLICKHOUSE_DSN", testDSN)
	t.Setenv("SLACK_BOT_TOKEN", testToken)
	t.Setenv("WEBHOOK_URL", testHook)
}

// unsetenv removes name from the environment for the test's duration.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	os.Unsetenv(name)
}

// golden compares got with the golden file, or rewrites it under -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./config -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestLoadGood(t *testing.T) {
	setSecrets(t)
	unsetenv(t, "LOCAL_CONCURRENCY")
	unsetenv(t, "REFUND_SCALE")
	files, err := filepath.Glob("testdata/good/*.good.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no good cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg, err := Load(file)
			if err != nil {
				t.Fatalf("Load(%s) failed:\n%v", file, err)
			}
			out := dump(cfg)
			for _, s := range []string{testToken, testPassword, testHook} {
				if strings.Contains(out, s) {
					t.Errorf("dump of %s shows secret %q", file, s)
				}
			}
			golden(t, strings.TrimSuffix(file, ".good.yaml")+".golden", out)
		})
	}
}

// dump writes every loaded value, one per line, in a stable order.
func dump(c *Config) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("summary: %s", c.Summary())
	p("file: %s\nrules: %s\nstate: %s", c.File, c.RulesDir, c.State)
	for _, name := range sortedKeys(c.Sources) {
		s := c.Sources[name]
		p("source %v at %s: init=%q demo=%v tls=%+v connect=%s query=%s max_exec=%s concurrency=%d",
			s, s.Pos, s.Init, s.Demo, s.TLS, d(s.ConnectTimeout), d(s.QueryTimeout), d(s.MaxExecutionTime), s.MaxConcurrency)
	}
	for _, name := range sortedKeys(c.Notifiers) {
		n := c.Notifiers[name]
		p("notifier %v at %s", n, n.Pos)
	}
	df := c.Defaults
	p("defaults: schedule=%q tz=%s gran=%s delay=%s source=%q notify=%q timeout=%s detect=%s",
		df.Schedule, df.Timezone, d(df.Granularity), d(df.Delay), df.Source, df.Notify, d(df.Timeout), detect(df.Detect))
	for _, m := range c.Metrics {
		p("metric %q at %s", m.Name, m.Pos)
		p("  about: desc=%q owner=%q runbook=%q unit=%q", m.Description, m.Owner, m.Runbook, m.Unit)
		p("  query: source=%s table=%q ts=%q value=%q ratio=%v num=%q den=%q filter=%q dims=%q",
			m.Source, m.Table, m.Timestamp, m.Value, m.Ratio(), m.Numerator, m.Denominator, m.Filter, m.Dimensions)
		if m.SQL != "" {
			p("  sql: %q", m.SQL)
		}
		p("  timing: gran=%s delay=%s schedule=%q tz=%s loc=%v fill_zero=%v",
			d(m.Granularity), d(m.Delay), m.Schedule, m.Timezone, m.Location, m.FillZero)
		p("  detect: %s notify=%q", detect(m.Detect), m.Notify)
	}
	return b.String()
}

func d(x time.Duration) string { return FormatDuration(x) }

func detect(x Detect) string {
	opt := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return fmt.Sprint(*f)
	}
	var mutes []string
	for _, m := range x.Mute {
		mutes = append(mutes, fmt.Sprintf("%q for %s", m.Schedule, d(m.Duration)))
	}
	return fmt.Sprintf("{method=%s seasonality=%q history=%s level_adjust=%v lower=%s upper=%s"+
		" offset=%s periods=%d aggregate=%s relative=%v max=%g period=%s seasons=%d robust=%v"+
		" multiplicative=%v alpha=%g beta=%g gamma=%g window=%s k=%g h=%g max_age=%s}"+
		" guards={sensitivity=%s threshold=%g direction=%s min_delta=%g min_rel_delta=%g min_volume=%g"+
		" consecutive=%d mute=%q holidays=%q missing=%s exclude=%+v}",
		x.Method, x.Seasonality, d(x.History), x.LevelAdjust, opt(x.Lower), opt(x.Upper),
		d(x.Offset), x.Periods, x.Aggregate, x.Relative, x.Max, d(x.Period), x.Seasons, x.Robust,
		x.Multiplicative, x.Alpha, x.Beta, x.Gamma, d(x.Window), x.K, x.H, d(x.MaxAge),
		x.Sensitivity, x.Threshold, x.Direction, x.MinDelta, x.MinRelDelta, x.MinVolume,
		x.Consecutive, mutes, x.Holidays, x.Missing, x.Exclude)
}

// errorList returns the problems in err, failing unless it is a *Errors.
func errorList(t *testing.T, err error) Errors {
	t.Helper()
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v (%T) is not a *config.Errors", err, err)
	}
	if len(*errs) == 0 {
		t.Fatal("empty *config.Errors")
	}
	return *errs
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	errs := errorList(t, err)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an error that is fs.ErrNotExist", err)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "testdata/no-such-file.yaml: cannot read") {
		t.Errorf("Load(missing) = %q, want one error naming the file", err)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name             string
		sources, metrics int
		notifiers        int
		want             string
	}{
		{"plural", 2, 5, 3, "2 sources, 5 rules, 3 notifiers"},
		{"singular", 1, 1, 1, "1 source, 1 rule, 1 notifier"},
		{"none", 0, 0, 0, "0 sources, 0 rules, 0 notifiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Config{Sources: map[string]Source{}, Notifiers: map[string]Notifier{}}
			for i := range tt.sources {
				c.Sources[fmt.Sprint(i)] = Source{}
			}
			for i := range tt.notifiers {
				c.Notifiers[fmt.Sprint(i)] = Notifier{}
			}
			c.Metrics = make([]Metric, tt.metrics)
			if got := c.Summary(); got != tt.want {
				t.Errorf("Summary() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	want := []string{MethodAuto, MethodChange, MethodCUSUM, MethodFreshness, MethodHoltWinters, MethodSeasonal, MethodSTL, MethodThreshold}
	if got := Methods(); !slices.Equal(got, want) {
		t.Errorf("Methods() = %q, want %q", got, want)
	}
}

func TestCronSpec(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		tz       string
		want     string
	}{
		{"metric zone", "30 7 * * *", "Europe/Berlin", "CRON_TZ=Europe/Berlin 30 7 * * *"},
		{"descriptor", "@hourly", "UTC", "CRON_TZ=UTC @hourly"},
		{"own zone", "CRON_TZ=Asia/Tokyo 0 9 * * *", "Europe/Berlin", "CRON_TZ=Asia/Tokyo 0 9 * * *"},
		{"own zone, short form", "TZ=Asia/Tokyo 0 9 * * *", "UTC", "TZ=Asia/Tokyo 0 9 * * *"},
		{"no zone", "5 * * * *", "", "5 * * * *"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Metric{Schedule: tt.schedule, Timezone: tt.tz}
			got := m.CronSpec()
			if got != tt.want {
				t.Errorf("CronSpec() = %q, want %q", got, tt.want)
			}
			if err := checkSchedule(got); err != nil {
				t.Errorf("CronSpec() = %q does not parse: %v", got, err)
			}
		})
	}
}

// TestLoadPaths loads from the operating system by absolute path, with the
// config file inside its own rules folder: it must not be read as rules,
// and paths must resolve against its folder.
func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("vigil.yaml", "sources: {db: {type: duckdb, path: data/x.duckdb}}\nnotifiers: {out: {type: console}}\nrules: .\nstate: /var/lib/vigil/state.db\n")
	write("a/orders.yaml", okRules)
	write("a/README.md", "not yaml")
	write(".git/config.yaml", "not read")
	write("b/UPPER.YML", "metrics: [{name: n, table: t, timestamp: ts, value: count()}]\n")
	cfg, err := Load(filepath.Join(dir, "vigil.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range cfg.Metrics {
		got = append(got, m.Name+"@"+m.Pos.File)
	}
	want := []string{"m@" + filepath.Join(dir, "a/orders.yaml"), "n@" + filepath.Join(dir, "b/UPPER.YML")}
	if !slices.Equal(got, want) {
		t.Errorf("metrics = %q, want %q", got, want)
	}
	if cfg.RulesDir != dir || cfg.State != "/var/lib/vigil/state.db" || cfg.Sources["db"].Path != filepath.Join(dir, "data/x.duckdb") {
		t.Errorf("rules %q, state %q, path %q: not resolved against %s", cfg.RulesDir, cfg.State, cfg.Sources["db"].Path, dir)
	}
}
