package methods

import (
	"errors"
	"math"
	"os"
	"testing"
	"testing/fstest"

	"vigil/config"
	"vigil/detector"
)

// FuzzBuild loads arbitrary rules and checks that every metric that loads
// also builds, and that its detector judges a series of the metric's
// granularity without failing on settings: the config's checks and
// Build's agree.
func FuzzBuild(f *testing.F) {
	all, err := os.ReadFile("../../config/testdata/good/methods/all.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(all, uint64(1))
	f.Add([]byte("metrics: [{name: m, table: t, timestamp: ts, value: count(), granularity: 1d, detect: {method: cusum, window: 2w}}]"), uint64(7))
	f.Add([]byte("metrics: [{name: m, table: t, timestamp: ts, value: count(), granularity: 5m, detect: {method: stl, period: 10m}}]"), uint64(3))
	f.Add([]byte("metrics: [{name: m, table: t, timestamp: ts, value: count(), granularity: 1w, detect: {history: 5w, seasonality: none}}]"), uint64(2))
	f.Fuzz(func(t *testing.T, rules []byte, seed uint64) {
		fsys := fstest.MapFS{
			"vigil.yaml":   {Data: []byte("sources: {db: {type: duckdb}}\nnotifiers: {out: {type: console}}\n")},
			"rules/r.yaml": {Data: rules},
		}
		cfg, err := config.LoadFS(fsys, "vigil.yaml")
		if err != nil {
			return
		}
		for _, m := range cfg.Metrics {
			d, desc, err := Build(m)
			if err != nil {
				t.Fatalf("metric %q loads (%+v) but does not build: %v", m.Name, m.Detect, err)
			}
			if desc.Text == "" || desc.History < 0 {
				t.Fatalf("metric %q: description %+v", m.Name, desc)
			}
			n := 60
			v := daily(n, 100, 5, seed)
			v[int(seed%uint64(n))] = math.NaN()
			s := detector.Series{Start: t0, Step: m.Granularity, Loc: m.Location, Values: v}
			pts, err := d.Detect(s, n-5)
			if err != nil && !errors.Is(err, detector.ErrNotEnoughData) && !errors.Is(err, detector.ErrNonPositive) {
				t.Fatalf("metric %q (%s): Detect: %v", m.Name, desc, err)
			}
			if err == nil && len(pts) != 5 {
				t.Fatalf("metric %q: %d points for 5 buckets", m.Name, len(pts))
			}
		}
	})
}
