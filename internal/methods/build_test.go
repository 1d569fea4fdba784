package methods

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/detector"
)

func ptr(x float64) *float64 { return &x }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// seasonalHistory in a want says the history is the seasonal detector's
// own History, not a configured length.
const seasonalHistory = -1

var medium = detector.Guards{Direction: detector.Both, Threshold: detector.ThresholdMedium}

// TestBuildMethods maps config snippets to the method's detector, its
// settings and its description.
func TestBuildMethods(t *testing.T) {
	tests := []struct {
		name     string
		keys     string
		defaults string
		want     detector.Detector
		text     string
		history  time.Duration
	}{
		{"defaults", "", "", detector.Seasonal{Period: config.Week, Seasons: 8, Guards: medium},
			"seasonal (weekly, 8 seasons), medium sensitivity", seasonalHistory},
		{"seasonal with every guard", `detect: {seasonality: [daily, weekly], history: 6w, level_adjust: true, sensitivity: high,
			direction: down, min_delta: 50, min_rel_delta: 5%, min_volume: 100, consecutive: 3, missing: alert}`, "",
			detector.Seasonal{Period: config.Week, Seasons: 6, Level: detector.LevelScale, Daily: 6,
				Guards: detector.Guards{Direction: detector.Down, Threshold: 3, MinDelta: 50, MinRelDelta: 0.05, MinVolume: 100}},
			"seasonal (weekly, corrected by the last 6 days, 6 seasons, level-adjusted by ratio), high sensitivity, drops only, 3 hours in a row, missing data alerts",
			seasonalHistory},
		{"seasonal level off", "detect: {level_adjust: false}", "",
			detector.Seasonal{Period: config.Week, Seasons: 8, Level: detector.LevelNone, Guards: medium},
			"seasonal (weekly, 8 seasons, no level adjustment), medium sensitivity", seasonalHistory},
		{"seasonal level by difference", "detect: {level_adjust: difference}", "",
			detector.Seasonal{Period: config.Week, Seasons: 8, Level: detector.LevelShift, Guards: medium},
			"seasonal (weekly, 8 seasons, level-adjusted by difference), medium sensitivity", seasonalHistory},
		{"seasonal daily", "granularity: 15m, detect: {seasonality: daily, history: 4w, threshold: 3.5}", "",
			detector.Seasonal{Period: config.Day, Seasons: 28, Guards: detector.Guards{Direction: detector.Both, Threshold: 3.5}},
			"seasonal (daily, 28 seasons), z threshold 3.5", seasonalHistory},
		{"seasonal none on days", "granularity: 1d, detect: {seasonality: none, history: 3w}", "",
			detector.Seasonal{Period: config.Day, Seasons: 21, Guards: medium}, "seasonal (daily, 21 seasons), medium sensitivity", seasonalHistory},
		{"seasonal from defaults", "", "defaults: {detect: {sensitivity: low, direction: up, history: 4w}}",
			detector.Seasonal{Period: config.Week, Seasons: 4, Guards: detector.Guards{Direction: detector.Up, Threshold: 5}},
			"seasonal (weekly, 4 seasons), low sensitivity, rises only", seasonalHistory},
		{"threshold", "detect: {method: threshold, lower: 10, upper: 500.5, min_rel_delta: 0.1}", "",
			detector.Threshold{Lower: ptr(10), Upper: ptr(500.5), Guards: detector.Guards{Direction: detector.Both, Threshold: 4, MinRelDelta: 0.1}},
			"threshold (between 10 and 500.5)", 0},
		{"threshold upper", "detect: {method: threshold, upper: 0.02, direction: up}", "",
			detector.Threshold{Upper: ptr(0.02), Guards: detector.Guards{Direction: detector.Up, Threshold: 4}},
			"threshold (at most 0.02), rises only", 0},
		{"week over week", "detect: {method: change, offset: 1w, periods: 4, aggregate: median, max: 25%}", "",
			detector.Change{Offset: 168, Periods: 4, Median: true, Relative: true, Max: 0.25, Guards: medium},
			"change (median of the last 4 weeks, ±25%)", 4 * config.Week},
		{"change in buckets", "granularity: 15m, detect: {method: change, offset: 4, max: 300, consecutive: 2}", "",
			detector.Change{Offset: 4, Periods: 1, Max: 300, Guards: medium},
			"change (hour over hour, ±300), 2 15-minute buckets in a row", time.Hour + 15*time.Minute},
		{"change against 6 hours", "detect: {method: change, offset: 6h, periods: 2, max: 10}", "",
			detector.Change{Offset: 6, Periods: 2, Max: 10, Guards: medium},
			"change (mean of the last 2 periods of 6 hours, ±10)", 12 * time.Hour},
		{"change on days", "granularity: 1d, detect: {method: change, offset: 1w, max: 0.1, relative: true}", "",
			detector.Change{Offset: 7, Periods: 1, Relative: true, Max: 0.1, Guards: medium},
			"change (week over week, ±10%)", config.Week},
		{"stl", "detect: {method: stl, seasonality: daily, seasons: 4, robust: false}", "",
			must(detector.NewSTL(detector.STL{Period: 24, Seasons: 4, Robust: -1, Guards: medium})),
			"STL (daily, 4 seasons), medium sensitivity", 5 * config.Day},
		{"stl period", "granularity: 30m, detect: {method: stl, period: 12h, sensitivity: high}", "",
			must(detector.NewSTL(detector.STL{Period: 24, Seasons: 6, Guards: detector.Guards{Direction: detector.Both, Threshold: 3}})),
			"STL (period 12h, 6 seasons, robust), high sensitivity", 7 * 12 * time.Hour},
		{"holt-winters", "detect: {method: holt_winters, seasonality: daily, multiplicative: true, alpha: 0.3, beta: 0.05, gamma: 0.2}", "",
			must(detector.NewHoltWinters(detector.HoltWinters{Period: 24, Multiplicative: true, Alpha: 0.3, Beta: 0.05, Gamma: 0.2, Guards: medium})),
			"Holt-Winters (daily, multiplicative, alpha 0.3, beta 0.05, gamma 0.2), medium sensitivity", 2 * 200 * time.Hour},
		{"holt", "detect: {method: holt_winters, seasonality: none}", "",
			must(detector.NewHoltWinters(detector.HoltWinters{Guards: medium})),
			"Holt-Winters (no season), medium sensitivity", 400 * time.Hour},
		{"holt-winters weekly", "detect: {method: holt_winters}", "",
			must(detector.NewHoltWinters(detector.HoltWinters{Period: 168, Guards: medium})),
			"Holt-Winters (weekly), medium sensitivity", 16 * config.Week},
		{"cusum", "detect: {method: cusum, seasonality: daily, window: 1w, k: 0.75, h: 8}", "defaults: {detect: {k: 1}}",
			must(detector.NewCUSUM(detector.CUSUM{Period: 24, Window: 168, K: 0.75, H: 8, Guards: medium})),
			"CUSUM (daily, window 1w, k 0.75, h 8), medium sensitivity", 2 * config.Week},
		{"cusum defaults", "granularity: 1d, detect: {method: cusum}", "",
			must(detector.NewCUSUM(detector.CUSUM{Period: 7, Window: 28, Guards: medium})),
			"CUSUM (weekly, window 4w), medium sensitivity", 8 * config.Week},
		{"freshness", "detect: {method: freshness, max_age: 3h, window: 2d, direction: down, min_volume: 5}", "",
			must(detector.NewFreshness(detector.Freshness{Window: 48, Tolerance: 3, Guards: detector.Guards{Direction: detector.Down, MinVolume: 5}})),
			"freshness (alerts after 3 hours without data), drops only", 2*config.Day + 3*time.Hour},
		{"freshness first bucket", "granularity: 15m, detect: {method: freshness}", "defaults: {detect: {min_delta: 10}}",
			must(detector.NewFreshness(detector.Freshness{Window: 168, Guards: detector.Guards{Direction: detector.Both}})),
			"freshness (alerts on the first missing 15-minute bucket)", 168 * 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := load(t, strings.Join(strings.Fields(tt.keys), " "), tt.defaults)
			got, desc, err := build(m)
			if err != nil {
				t.Fatalf("build() error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("build() = %#v\nwant %#v", got, tt.want)
			}
			_, full, err := Build(m)
			if err != nil {
				t.Fatalf("Build() error: %v", err)
			}
			if full.Text != tt.text || full.String() != tt.text {
				t.Errorf("description %q, want %q", full.Text, tt.text)
			}
			wantHistory := tt.history
			if s, ok := tt.want.(detector.Seasonal); ok && wantHistory == seasonalHistory {
				// what the detector says it reads, which its own tests
				// check, and the run of buckets consecutive adds
				wantHistory = s.History(m.Granularity) + time.Duration(m.Detect.Consecutive-1)*m.Granularity
				if wantHistory <= m.Detect.History {
					t.Errorf("seasonal's own history %v is not past the configured %v", wantHistory, m.Detect.History)
				}
			}
			if full.History != wantHistory {
				t.Errorf("history %v, want %v", full.History, wantHistory)
			}
			if full.Method != m.Detect.Method || desc.Method != m.Detect.Method {
				t.Errorf("description method %q, want %q", full.Method, m.Detect.Method)
			}
		})
	}
}

func TestBuildSensitivity(t *testing.T) {
	tests := []struct {
		keys, want string
	}{
		{"detect: {sensitivity: high}", "high"},
		{"detect: {threshold: 3.5}", "z 3.5"},
		{"", "medium"},
		{"detect: {method: change, offset: 1, max: 3}", ""},
		{"detect: {method: threshold, upper: 3}", ""},
		{"detect: {method: freshness}", ""},
		{"detect: {method: auto, sensitivity: low}", "low"},
	}
	for _, tt := range tests {
		t.Run(tt.keys, func(t *testing.T) {
			_, desc, err := Build(load(t, tt.keys, ""))
			if err != nil {
				t.Fatal(err)
			}
			if desc.Sensitivity != tt.want {
				t.Errorf("Sensitivity = %q, want %q", desc.Sensitivity, tt.want)
			}
		})
	}
}

// TestBuildAuto checks that auto's builder makes every method Choose can
// pick, with the rule's guards.
func TestBuildAuto(t *testing.T) {
	m := load(t, "detect: {method: auto, history: 6w, sensitivity: low, direction: down}", "")
	d, desc, err := build(m)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := d.(detector.Auto)
	if !ok {
		t.Fatalf("build() = %T, want detector.Auto", d)
	}
	g := detector.Guards{Direction: detector.Down, Threshold: 5}
	if a.Guards != g || a.Build == nil {
		t.Errorf("Auto guards %+v, want %+v and a builder", a.Guards, g)
	}
	if want := "auto (method chosen from 6 weeks of data), low sensitivity"; desc.Text != want || desc.History != 6*config.Week {
		t.Errorf("description %q, history %v; want %q, 6w", desc.Text, desc.History, want)
	}
	tests := []struct {
		choice detector.Choice
		want   detector.Detector
	}{
		{detector.Choice{Method: "seasonal", Seasonality: "weekly", Period: 168}, detector.Seasonal{Period: config.Week, Seasons: 6, Guards: g}},
		{detector.Choice{Method: "seasonal", Seasonality: "daily", Period: 24}, detector.Seasonal{Period: config.Day, Seasons: 42, Guards: g}},
		{detector.Choice{Method: "cusum", Seasonality: "none"}, must(detector.NewCUSUM(detector.CUSUM{Guards: g}))},
		{detector.Choice{Method: "cusum", Seasonality: "daily", Period: 24}, must(detector.NewCUSUM(detector.CUSUM{Period: 24, Guards: g}))},
		{detector.Choice{Method: "stl", Seasonality: "daily", Period: 24}, must(detector.NewSTL(detector.STL{Period: 24, Guards: g}))},
		{detector.Choice{Method: "holtwinters", Seasonality: "none"}, must(detector.NewHoltWinters(detector.HoltWinters{Guards: g}))},
	}
	for _, tt := range tests {
		t.Run(tt.choice.Method+" "+tt.choice.Seasonality, func(t *testing.T) {
			got, err := a.Build(tt.choice, g)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Build(%+v) = %#v, want %#v", tt.choice, got, tt.want)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	ok := load(t, "", "")
	tests := []struct {
		name string
		edit func(m *config.Metric)
		want string
	}{
		{"unknown method", func(m *config.Metric) { m.Detect.Method = "prophet" }, `detect: unknown method "prophet"`},
		{"no granularity", func(m *config.Metric) { m.Granularity = 0 }, "granularity 0s: must be positive"},
		{"bad direction", func(m *config.Metric) { m.Detect.Direction = "sideways" }, "direction must be"},
		{"negative min delta", func(m *config.Metric) { m.Detect.MinDelta = -1 }, "must be 0 or more"},
		{"no seasonality", func(m *config.Metric) { m.Detect.Seasonality = "" }, "seasonal: seasonality is not set"},
		{"hourly season none", func(m *config.Metric) { m.Detect.Seasonality = "none" }, "has no past days or weeks"},
		{"ragged history", func(m *config.Metric) { m.Detect.History = 8*config.Week + time.Hour }, "history 8w1h is not a whole number of at least 3 1w seasons"},
		{"change offset", func(m *config.Metric) {
			m.Detect.Method, m.Detect.Offset, m.Detect.Max = "change", 90*time.Minute, 1
		}, "change: offset 1h30m is not a whole number of 1h buckets"},
		{"stl without season", func(m *config.Metric) { m.Detect.Method, m.Detect.Seasonality = "stl", "none" }, "stl: period must be at least 2 buckets"},
		{"freshness up", func(m *config.Metric) {
			m.Detect.Method, m.Detect.Direction, m.Detect.Window = "freshness", "up", config.Week
		}, "freshness: missing data is a drop"},
		{"every mute", func(m *config.Metric) {
			m.Detect.Mute = []config.Mute{{Schedule: "@every 1h", Duration: time.Minute}}
		}, `mute[0]: schedule "@every 1h" has no fixed start`},
		{"bad mute", func(m *config.Metric) { m.Detect.Mute = []config.Mute{{Schedule: "0 2 * *", Duration: time.Minute}} }, "mute[0]: schedule"},
		{"mute without duration", func(m *config.Metric) { m.Detect.Mute = []config.Mute{{Schedule: "0 2 * * *"}} }, "mute[0]: duration must be positive"},
		{"bad holiday", func(m *config.Metric) { m.Detect.Holidays = []string{"25.12.2026"} }, `holidays[0]: "25.12.2026" is not a date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			d, _, err := Build(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build() = %v, %v; want an error containing %q", d, err, tt.want)
			}
		})
	}
}
