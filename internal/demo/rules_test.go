package demo

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"go.yaml.in/yaml/v3"
)

// exampleRule is the part of a metric of deploy/examples/rules that says
// what to query and what counts as a move.
type exampleRule struct {
	Name        string `yaml:"name"`
	Table       string `yaml:"table"`
	Timestamp   string `yaml:"timestamp"`
	Value       string `yaml:"value"`
	Numerator   string `yaml:"numerator"`
	Denominator string `yaml:"denominator"`
	Filter      string `yaml:"filter"`
	Granularity string `yaml:"granularity"`
	Timezone    string `yaml:"timezone"`
	Detect      struct {
		MinDelta  float64 `yaml:"min_delta"`
		MinVolume float64 `yaml:"min_volume"`
	} `yaml:"detect"`
}

// exampleRules reads every metric of the example rules repository.
func exampleRules(t *testing.T) map[string]exampleRule {
	t.Helper()
	files, err := filepath.Glob("../../deploy/examples/rules/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example rules files: %v", err)
	}
	rules := map[string]exampleRule{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Metrics []exampleRule `yaml:"metrics"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, m := range doc.Metrics {
			rules[m.Name] = m
		}
	}
	return rules
}

// loadDuckDB opens an in-memory DuckDB holding tabs, loaded with the
// appender.
func loadDuckDB(t *testing.T, tabs []Table) *sql.DB {
	t.Helper()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one in-memory database, one connection
	ctx := context.Background()
	for _, tab := range tabs {
		defs := make([]string, len(tab.Columns))
		for i, c := range tab.Columns {
			defs[i] = c + " " + tab.Types[i]
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", tab.Name, strings.Join(defs, ", "))); err != nil {
			t.Fatal(err)
		}
		if err := appendRows(ctx, db, tab); err != nil {
			t.Fatalf("load %s: %v", tab.Name, err)
		}
	}
	return db
}

func appendRows(ctx context.Context, db *sql.DB, tab Table) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", tab.Name)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, len(tab.Columns))
		for _, r := range tab.Rows {
			for i, v := range r {
				vals[i] = v
			}
			if err := a.AppendRow(vals...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

// hourlySeries runs a rule's query shape per hour over the whole data and
// returns the value and the volume (a ratio's denominator) per hour of the
// data, NaN where an hour has no rows.
func hourlySeries(t *testing.T, db *sql.DB, r exampleRule, anchor time.Time) (num, den []float64) {
	t.Helper()
	measure := r.Value + ", 1"
	if r.Numerator != "" {
		measure = fmt.Sprintf("sum(%s), sum(%s)", r.Numerator, r.Denominator)
	}
	where := "TRUE"
	if r.Filter != "" {
		where = r.Filter
	}
	q := fmt.Sprintf("SELECT time_bucket(INTERVAL '1 hour', %s) AS bucket, %s FROM %s WHERE %s GROUP BY bucket ORDER BY bucket",
		r.Timestamp, measure, r.Table, where)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v\n%s", r.Name, err, q)
	}
	defer rows.Close()
	n := int(History / time.Hour)
	num, den = make([]float64, n), make([]float64, n)
	for i := range num {
		num[i], den[i] = math.NaN(), math.NaN()
	}
	for rows.Next() {
		var b time.Time
		var v, w float64
		if err := rows.Scan(&b, &v, &w); err != nil {
			t.Fatal(err)
		}
		i := hourIndex(anchor, b.UTC())
		num[i], den[i] = v, w
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return num, den
}

// metric is a rule's hourly series, summed over any range of hours the
// way the rule aggregates: a plain sum, or a ratio of sums.
type metric struct {
	num, den []float64
	ratio    bool
}

func (m metric) value(from, to int) float64 {
	if m.ratio {
		return sum(m.num, from, to) / sum(m.den, from, to)
	}
	return sum(m.num, from, to)
}

// baseline is the median of the same hours in up to weeks previous weeks
// (as many as the data holds), and the largest distance of one of them
// from that median.
func (m metric) baseline(from, to, weeks int) (median_, spread float64) {
	var past []float64
	for k := 1; k <= weeks && from-168*k >= 0; k++ {
		past = append(past, m.value(from-168*k, to-168*k))
	}
	median_ = median(past)
	for _, p := range past {
		spread = math.Max(spread, math.Abs(p-median_))
	}
	return median_, spread
}

func queryMetrics(t *testing.T, db *sql.DB, rules map[string]exampleRule, anchor time.Time, names ...string) map[string]metric {
	t.Helper()
	out := map[string]metric{}
	for _, name := range names {
		r, ok := rules[name]
		if !ok {
			t.Fatalf("deploy/examples/rules has no metric %q", name)
		}
		num, den := hourlySeries(t, db, r, anchor)
		out[name] = metric{num: num, den: den, ratio: r.Numerator != ""}
	}
	return out
}

// exampleDefaults reads the defaults of deploy/examples/vigil.yaml.
func exampleDefaults(t *testing.T) (delay time.Duration, source string) {
	t.Helper()
	data, err := os.ReadFile("../../deploy/examples/vigil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Sources map[string]struct {
			Type string
			Demo bool
		}
		Defaults struct{ Delay, Source, Granularity string }
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if s := cfg.Sources[cfg.Defaults.Source]; s.Type != "duckdb" || !s.Demo || cfg.Defaults.Granularity != "1h" {
		t.Fatalf("vigil.yaml: default source %q is %+v, granularity %q; want a duckdb demo source and 1h", cfg.Defaults.Source, s, cfg.Defaults.Granularity)
	}
	delay, err = time.ParseDuration(cfg.Defaults.Delay)
	if err != nil {
		t.Fatalf("vigil.yaml: defaults.delay: %v", err)
	}
	return delay, cfg.Defaults.Source
}

// TestExampleRulesTellTheLatestStory runs the example rules' queries on the
// demo data in DuckDB and checks what a run at five past the anchor hour
// judges: completed orders fall clearly in every settled hour of the latest
// incident, beyond the rule's min_delta, while revenue and conversion move
// no more than they did in past weeks.
func TestExampleRulesTellTheLatestStory(t *testing.T) {
	tabs := generated()
	db := loadDuckDB(t, tabs)
	rules := exampleRules(t)
	delay, _ := exampleDefaults(t)
	ms := queryMetrics(t, db, rules, testAnchor, "orders", "revenue", "conversion")

	// The newest bucket [b, b+1h) settled at now = anchor+5m: b+1h+delay <= now.
	now := testAnchor.Add(5 * time.Minute)
	newest := now.Add(-time.Hour - delay).Truncate(time.Hour)
	latest := Incidents(testAnchor)[0]
	if want := latest.End.Add(-time.Hour); !newest.Equal(want) {
		t.Fatalf("newest settled bucket %v, want the latest incident's last hour %v", newest, want)
	}
	for at := latest.Start; at.Before(latest.End); at = at.Add(time.Hour) {
		i := hourIndex(testAnchor, at)
		t.Run(at.Format("15:04"), func(t *testing.T) {
			o := ms["orders"]
			v, m := o.value(i, i+1), 0.0
			m, _ = o.baseline(i, i+1, 8)
			if min := rules["orders"].Detect.MinDelta; !(v < m-min) || v/m > 0.85 {
				t.Errorf("orders = %.0f, want below the usual %.0f by more than min_delta %.0f and by 15%%", v, m, min)
			}
			for _, name := range []string{"revenue", "conversion"} {
				s := ms[name]
				v := s.value(i, i+1)
				m, spread := s.baseline(i, i+1, 8)
				if d := math.Abs(v - m); d > rules[name].Detect.MinDelta && d > 1.1*spread {
					t.Errorf("%s = %.4g, %.4g from the usual %.4g: more than min_delta %g and than any past week moved (%.4g)", name, v, d, m, rules[name].Detect.MinDelta, spread)
				}
			}
		})
	}
}

// TestExampleRulesFindPastIncidents checks that the past incidents stand
// out in the example rules that watch them, beyond their min_delta.
func TestExampleRulesFindPastIncidents(t *testing.T) {
	tabs := generated()
	db := loadDuckDB(t, tabs)
	rules := exampleRules(t)
	ms := queryMetrics(t, db, rules, testAnchor, "revenue", "conversion_daily")
	in := Incidents(testAnchor)

	t.Run("revenue spike, hourly", func(t *testing.T) {
		spike := in[1]
		for at := spike.Start; at.Before(spike.End); at = at.Add(time.Hour) {
			i := hourIndex(testAnchor, at)
			v := ms["revenue"].value(i, i+1)
			m, _ := ms["revenue"].baseline(i, i+1, 8)
			if min := rules["revenue"].Detect.MinDelta; !(v > m+min) || v/m < 1.3 {
				t.Errorf("%v: revenue = %.0f, want above the usual %.0f by more than min_delta %.0f and by 30%%", at, v, m, min)
			}
		}
	})
	t.Run("conversion drop, daily in São Paulo", func(t *testing.T) {
		r := rules["conversion_daily"]
		loc, err := time.LoadLocation(r.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		drop := in[2]
		if s := drop.Start.In(loc); s.Hour() != 0 || r.Granularity != "1d" {
			t.Fatalf("conversion incident starts %v, rule granularity %q; want a whole day in %s", s, r.Granularity, loc)
		}
		i := hourIndex(testAnchor, drop.Start)
		d := ms["conversion_daily"]
		v := d.value(i, i+24)
		m, _ := d.baseline(i, i+24, 8)
		if v > m-r.Detect.MinDelta || v/m > 0.92 || sum(d.den, i, i+24) < r.Detect.MinVolume {
			t.Errorf("conversion on %v = %.4f, want below the usual %.4f by more than min_delta %g and by 8%%, on more than min_volume sessions",
				drop.Start.In(loc).Format(time.DateOnly), v, m, r.Detect.MinDelta)
		}
	})
}
