package detector

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestSeasonalErrors(t *testing.T) {
	hourly := func(n int) Series { return Series{Start: seasonalMonday, Step: time.Hour, Values: make([]float64, n)} }
	good := Seasonal{Period: 24 * time.Hour, Seasons: 4}
	tests := []struct {
		name     string
		m        Seasonal
		s        Series
		from     int
		want     string // substring of the error
		notEnoug bool
	}{
		{name: "single point", m: good, s: hourly(1), want: "need 3", notEnoug: true},
		{name: "empty series", m: good, s: hourly(0), want: "0 buckets", notEnoug: true},
		{name: "from past empty", m: good, s: hourly(0), want: "outside", from: 1},
		{name: "three days, need three past", m: Seasonal{Period: 24 * time.Hour, Seasons: 8}, s: hourly(3 * 24), want: "hold 2 past seasons", notEnoug: true},
		{name: "from negative", m: good, s: hourly(200), from: -1, want: "from -1"},
		{name: "from past end", m: good, s: hourly(200), from: 201, want: "from 201"},
		{name: "step does not divide", m: good, s: Series{Step: 7 * time.Hour, Values: make([]float64, 200)}, want: "does not divide"},
		{name: "zero step", m: good, s: Series{Values: make([]float64, 200)}, want: "step must be positive"},
		{name: "weights mismatch", m: good, s: Series{Step: time.Hour, Values: make([]float64, 200), Weight: make([]float64, 3)}, want: "3 weights"},
		{name: "period", m: Seasonal{Period: 36 * time.Hour, Seasons: 4}, s: hourly(200), want: "period must be"},
		{name: "too few seasons", m: Seasonal{Period: 24 * time.Hour, Seasons: 2}, s: hourly(200), want: "between 3 and 64, got 2"},
		{name: "too many seasons", m: Seasonal{Period: 24 * time.Hour, Seasons: 65}, s: hourly(200), want: "got 65"},
		{name: "threshold NaN", m: Seasonal{Period: 24 * time.Hour, Seasons: 4, Guards: Guards{Threshold: math.NaN()}}, s: hourly(200), want: "threshold"},
		{name: "negative min delta", m: Seasonal{Period: 24 * time.Hour, Seasons: 4, Guards: Guards{MinDelta: -1}}, s: hourly(200), want: "min delta"},
		{name: "unknown direction", m: Seasonal{Period: 24 * time.Hour, Seasons: 4, Guards: Guards{Direction: 9}}, s: hourly(200), want: "direction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := tt.m.Detect(tt.s, tt.from)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Detect(%s) = %d points, error %v, want error containing %q", tt.name, len(pts), err, tt.want)
			}
			if errors.Is(err, ErrNotEnoughData) != tt.notEnoug {
				t.Errorf("Detect(%s) error %v: errors.Is(ErrNotEnoughData) = %v, want %v", tt.name, err, !tt.notEnoug, tt.notEnoug)
			}
		})
	}
}

func TestNewSeasonal(t *testing.T) {
	m, err := NewSeasonal(7*24*time.Hour, 8, Guards{Direction: Down})
	if err != nil || m.Seasons != 8 || m.Direction != Down {
		t.Fatalf("NewSeasonal(168h, 8) = %+v, %v, want a weekly baseline", m, err)
	}
	_, err = NewSeasonal(time.Hour, 1, Guards{MinVolume: math.Inf(1)})
	for _, want := range []string{"period", "seasons", "min volume"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewSeasonal(1h, 1, inf volume) error %v, want it to name %s", err, want)
		}
	}
	pts, err := m.Detect(seasonalSynth(seasonalMonday, time.UTC, 30*24, 1, 1, 0, 1), 30*24)
	if err != nil || len(pts) != 0 {
		t.Errorf("Detect(from = len) = %d points, %v, want none and no error", len(pts), err)
	}
}
