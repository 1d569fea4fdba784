package methods

import (
	"math"
	"slices"
	"testing"
	"time"

	"vigil/detector"
)

// TestBuildWraps checks the guards Build wraps around a method, in their
// order: missing data counts towards a run, a muted breach still counts
// towards a run but never alerts, and a holiday mutes a whole day.
func TestBuildWraps(t *testing.T) {
	m := load(t, `detect: {method: threshold, lower: 0, upper: 10, consecutive: 2, missing: alert,
		mute: [{schedule: "0 2 * * *", duration: 1h}], holidays: [2026-11-03]}`, "")
	d, _, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	v := make([]float64, 48)
	for i := range v {
		v[i] = 5
	}
	copy(v, []float64{5, 11, 12, 13, nan, nan, 5})
	v[24], v[25], v[26] = 11, 12, 13 // on the holiday
	pts, err := d.Detect(hourly(v...), 0)
	if err != nil {
		t.Fatal(err)
	}
	sameVerdicts(t, verdicts(pts), map[int]string{
		1:  "-11 above the upper bound 10; 1 hour in a row of the 2 needed",
		2:  "-muted (12 above the upper bound 10; 2 hours in a row)",
		3:  "13 above the upper bound 10; 2 hours in a row",
		4:  "-no data for this hour; 1 hour in a row of the 2 needed",
		5:  "no data for this hour; 2 hours in a row",
		24: "-11 above the upper bound 10; 1 hour in a row of the 2 needed",
		25: "-muted (12 above the upper bound 10; 2 hours in a row)",
		26: "-muted (13 above the upper bound 10; 2 hours in a row)",
	})
	// Judged from any bucket, each verdict is the same.
	for from := range v {
		part, err := d.Detect(hourly(v...), from)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range part {
			if q := pts[p.Index]; p.Anomaly != q.Anomaly || p.Reason != q.Reason {
				t.Fatalf("from %d: point %d = %q (alert %v), from 0 = %q (alert %v)", from, p.Index, p.Reason, p.Anomaly, q.Reason, q.Anomaly)
			}
		}
	}
}

// TestBuildCleans checks that past incidents and analysts' feedback, given
// as options, are kept out of a change baseline unless exclude says not to.
func TestBuildCleans(t *testing.T) {
	v := make([]float64, 72)
	for i := range v {
		v[i] = 100
	}
	v[29] = 300 // day 1, 05:00: an incident
	v[53] = 100 // day 2, 05:00: judged against the mean of days 0 and 1
	incident := func(b time.Time) bool { return b.Equal(t0.Add(29 * time.Hour)) }
	tests := []struct {
		name     string
		keys     string
		opts     []Option
		expected float64
		alert    bool
	}{
		{"not told", "", nil, 200, true},
		{"incident", "", []Option{Incidents(incident)}, 100, false},
		{"feedback", "", []Option{Feedback(incident)}, 100, false},
		{"incidents kept", ", exclude: {incidents: false}", []Option{Incidents(incident)}, 200, true},
		{"feedback kept", ", exclude: {feedback: false}", []Option{Feedback(incident)}, 200, true},
		{"a mute window", `, mute: [{schedule: "0 5 * * 2", duration: 1h}]`, nil, 100, false},
		{"a mute window kept", `, mute: [{schedule: "0 5 * * 2", duration: 1h}], exclude: {mutes: false}`, nil, 200, true},
		{"a holiday", ", holidays: [2026-11-03]", nil, 100, false},
		{"a holiday kept", ", holidays: [2026-11-03], exclude: {holidays: false}", nil, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := load(t, "detect: {method: change, offset: 1d, periods: 2, max: 20%"+tt.keys+"}", "")
			d, _, err := Build(m, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			pts, err := d.Detect(hourly(v...), 53)
			if err != nil {
				t.Fatal(err)
			}
			if p := pts[0]; p.Expected != tt.expected || p.Anomaly != tt.alert {
				t.Errorf("point 53 expected %v, alert %v (%q); want %v, %v", p.Expected, p.Anomaly, p.Reason, tt.expected, tt.alert)
			}
		})
	}
}

// TestMethodsHonourGuards builds every method from the config and checks,
// on a drop each of them finds, that direction keeps the other side from
// alerting and that min_delta, min_rel_delta and min_volume each silence it.
func TestMethodsHonourGuards(t *testing.T) {
	const n, drop = 24 * 42, 12
	v := daily(n, 1000, 20, 11)
	for i := n - drop; i < n; i++ {
		v[i] *= 0.4
	}
	// A trend that auto gives to Holt-Winters: the seasonal method it would
	// pick for v is judged on its own branch.
	trend := make([]float64, n)
	for i := range trend {
		trend[i] = 500 + 2*float64(i) + v[i] - 1000
	}
	for i := n - drop; i < n; i++ {
		trend[i] = 0.4 * (500 + 2*float64(i))
	}
	gone := slices.Clone(v)
	for i := n - drop; i < n; i++ {
		gone[i] = math.NaN()
	}
	methods := []struct {
		name, detect string
		series       []float64
		guards       []string // the silencing guards the method reads
	}{
		// seasonal is judged on its own branch; the stand-in here judges nothing.
		{"threshold", "method: threshold, lower: 500", v, nil},
		{"change", "method: change, offset: 1d, max: 30%", v, nil},
		{"stl", "method: stl, seasonality: daily", v, nil},
		{"holt_winters", "method: holt_winters, seasonality: daily", v, nil},
		{"cusum", "method: cusum, seasonality: daily", v, nil},
		{"auto", "method: auto", trend, nil},
		{"freshness", "method: freshness", gone, []string{"min_volume: 1e9"}},
	}
	silencers := []string{"min_delta: 1e9", "min_rel_delta: 1000%", "min_volume: 1e9"}
	for _, mt := range methods {
		t.Run(mt.name, func(t *testing.T) {
			s := hourly(mt.series...)
			judge := func(extra string) []detector.Point {
				t.Helper()
				d, _, err := Build(load(t, "detect: {"+mt.detect+extra+"}", ""))
				if err != nil {
					t.Fatal(err)
				}
				pts, err := d.Detect(s, n-drop)
				if err != nil {
					t.Fatalf("Detect(%s%s): %v", mt.detect, extra, err)
				}
				var out []detector.Point
				for _, p := range pts {
					if p.Anomaly {
						out = append(out, p)
					}
				}
				return out
			}
			if got := judge(""); len(got) == 0 {
				t.Fatalf("%s finds none of the %d dropped buckets", mt.name, drop)
			}
			sides := []string{"down", "up"}
			if mt.name == "freshness" {
				sides = sides[:1] // it refuses up
			}
			for _, side := range sides {
				got := judge(", direction: " + side)
				if side == "down" && len(got) == 0 {
					t.Errorf("direction: down silences the drop")
				}
				for _, p := range got {
					if p.Direction.String() != side {
						t.Errorf("direction: %s, yet point %d alerts %v", side, p.Index, p.Direction)
					}
				}
			}
			guards := mt.guards
			if guards == nil {
				guards = silencers
			}
			for _, g := range guards {
				if got := judge(", " + g); len(got) != 0 {
					t.Errorf("with %s: %d anomalies, first %+v; want none", g, len(got), got[0])
				}
			}
		})
	}
}
