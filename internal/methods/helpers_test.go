package methods

import (
	"math"
	"testing"
	"testing/fstest"
	"time"

	"vigil/config"
	"vigil/detector"
)

// load returns the metric that config.Load makes of the metric keys given
// (in YAML flow style, such as "granularity: 1d, detect: {method: cusum}")
// with a config file holding defaults (a YAML line or "").
func load(t *testing.T, keys, defaults string) config.Metric {
	t.Helper()
	fsys := fstest.MapFS{
		"vigil.yaml":   {Data: []byte("sources: {db: {type: duckdb}}\nnotifiers: {out: {type: console}}\n" + defaults + "\n")},
		"rules/r.yaml": {Data: []byte("metrics:\n  - {name: m, table: t, timestamp: ts, value: count(), " + keys + "}\n")},
	}
	cfg, err := config.LoadFS(fsys, "vigil.yaml")
	if err != nil {
		t.Fatalf("config.LoadFS(%s):\n%v", keys, err)
	}
	return cfg.Metrics[0]
}

var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday

// hourly returns an hourly series from t0.
func hourly(v ...float64) detector.Series {
	return detector.Series{Start: t0, Step: time.Hour, Values: v}
}

// verdicts maps the points to index → reason for anomalies, and index →
// "-" plus reason for the others that have one.
func verdicts(pts []detector.Point) map[int]string {
	out := map[int]string{}
	for _, p := range pts {
		switch {
		case p.Anomaly:
			out[p.Index] = p.Reason
		case p.Reason != "":
			out[p.Index] = "-" + p.Reason
		}
	}
	return out
}

func sameVerdicts(t *testing.T, got, want map[int]string) {
	t.Helper()
	for i, w := range want {
		if got[i] != w {
			t.Errorf("point %d: verdict %q, want %q", i, got[i], w)
		}
	}
	for i, g := range got {
		if _, ok := want[i]; !ok {
			t.Errorf("point %d: unexpected verdict %q", i, g)
		}
	}
}

func anomalies(pts []detector.Point) []int {
	var out []int
	for _, p := range pts {
		if p.Anomaly {
			out = append(out, p.Index)
		}
	}
	return out
}

// daily returns n hourly values with a daily swing of ±30% around level
// and seeded noise of sd, deterministic.
func daily(n int, level, sd float64, seed uint64) []float64 {
	v := make([]float64, n)
	x := seed | 1
	for i := range v {
		// xorshift, two uniforms → one normal by Box-Muller
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		u1 := float64(x>>11)/(1<<53) + 1e-12
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		u2 := float64(x>>11) / (1 << 53)
		z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
		v[i] = level*(1+0.3*math.Sin(2*math.Pi*float64(i%24)/24)) + sd*z
	}
	return v
}
