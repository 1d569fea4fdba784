package detector

import (
	"math"
	"testing"
	"time"
)

// TestSeasonalFalseAlarms checks that the band keeps the false-alarm rate of
// its threshold on pure noise: a normal |z| beyond 4 has probability 6.3e-5,
// beyond 3 probability 2.7e-3. A band from the plain MAD of 8 weeks fails
// this by a factor of about 30.
func TestSeasonalFalseAlarms(t *testing.T) {
	const seeds, weeks = 50, 10
	tests := []struct {
		name      string
		threshold float64
		nominal   float64
		level     LevelAdjust
		daily     int
	}{
		{name: "medium", threshold: ThresholdMedium, nominal: 6.3e-5},
		{name: "high", threshold: ThresholdHigh, nominal: 2.7e-3},
		{name: "medium, level scale", threshold: ThresholdMedium, nominal: 6.3e-5, level: LevelScale},
		{name: "high, level shift", threshold: ThresholdHigh, nominal: 2.7e-3, level: LevelShift},
		{name: "medium, daily 3", threshold: ThresholdMedium, nominal: 6.3e-5, daily: 3},
		{name: "high, daily 3 and level scale", threshold: ThresholdHigh, nominal: 2.7e-3, daily: 3, level: LevelScale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Guards: Guards{Threshold: tt.threshold}, Level: tt.level, Daily: tt.daily}
			alarms, points := 0, 0
			for seed := range uint64(seeds) {
				s := seasonalSynth(seasonalMonday, time.UTC, weeks*168, 1000, 0.6, 0.03, 100+seed)
				pts, err := m.Detect(s, (weeks-2)*168)
				if err != nil {
					t.Fatal(err)
				}
				alarms += len(seasonalAnomalies(pts))
				points += len(pts)
			}
			// Poisson bound: the expected count plus five of its standard
			// deviations, and at least 5.
			want := tt.nominal * float64(points)
			limit := max(5, want+5*math.Sqrt(want))
			t.Logf("%d anomalies in %d points, nominal %.1f", alarms, points, want)
			if float64(alarms) > limit {
				t.Errorf("Detect(%d quiet weeks, %s) = %d anomalies, want at most %.0f (nominal %.1f)", seeds*2, tt.name, alarms, limit, want)
			}
		})
	}
}

// TestSeasonalPower checks the other side: a day-long shift of ten noise
// standard deviations is flagged on nearly every hour, and almost nothing
// else is: the 1,440 quiet hours may hold a 4σ draw of the noise (0.1 are
// expected at the nominal rate; seed 202 has one at -4.2σ), not more.
func TestSeasonalPower(t *testing.T) {
	const weeks = 10
	tests := []struct {
		name   string
		factor float64
		want   Direction
		level  LevelAdjust
	}{
		{name: "level shift down", factor: 0.7, want: Down},
		{name: "level shift up", factor: 1.3, want: Up},
		{name: "level shift down, level scale", factor: 0.7, want: Down, level: LevelScale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Seasonal{Period: 7 * 24 * time.Hour, Seasons: 8, Level: tt.level}
			flagged, shifted, outside := 0, 0, 0
			for seed := range uint64(10) {
				s := seasonalSynth(seasonalMonday, time.UTC, weeks*168, 1000, 0.6, 0.03, 200+seed)
				start := len(s.Values) - 24*(1+int(seed%5))
				for i := start; i < start+24; i++ {
					s.Values[i] *= tt.factor
				}
				pts, err := m.Detect(s, (weeks-1)*168)
				if err != nil {
					t.Fatal(err)
				}
				for i, d := range seasonalAnomalies(pts) {
					if i < start || i >= start+24 {
						outside++
						continue
					}
					if d != tt.want {
						t.Errorf("Detect(%s, seed %d) flags %d %s, want %s", tt.name, seed, i, d, tt.want)
					}
					flagged++
				}
				shifted += 24
			}
			t.Logf("%d of %d shifted hours flagged, %d others", flagged, shifted, outside)
			if outside > 2 {
				t.Errorf("Detect(%s) = %d anomalies outside the shifts, want at most 2", tt.name, outside)
			}
			if float64(flagged) < 0.9*float64(shifted) {
				t.Errorf("Detect(%s) = %d anomalies, want at least 90%% of the %d shifted hours", tt.name, flagged, shifted)
			}
		})
	}
}
