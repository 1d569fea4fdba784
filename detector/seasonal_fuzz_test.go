package detector

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// seasonalFuzzValues decodes fuzz bytes into values: mostly small integers
// (ties, constants, zeros), some raw float64s and missing values. Magnitudes
// are capped at 1e290: beyond that the band's arithmetic may overflow to
// ±Inf, far outside any metric's range.
func seasonalFuzzValues(data []byte) []float64 {
	var v []float64
	for len(data) > 0 {
		b := data[0]
		data = data[1:]
		switch {
		case b < 200:
			v = append(v, float64(b)-100)
		case b < 240 && len(data) >= 8:
			x := math.Float64frombits(binary.LittleEndian.Uint64(data))
			data = data[8:]
			if math.Abs(x) > 1e290 && !math.IsInf(x, 0) {
				x = math.Copysign(1e290, x)
			}
			v = append(v, x)
		case b < 250:
			v = append(v, math.NaN())
		default:
			v = append(v, math.Inf(1-2*int(b&1)))
		}
	}
	return v
}

func FuzzSeasonal(f *testing.F) {
	f.Add([]byte("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123"), uint8(1), uint8(0), uint8(40), uint16(20), uint8(0))
	f.Add(make([]byte, 120), uint8(2), uint8(5), uint8(0), uint16(0), uint8(1))
	f.Add([]byte{200, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 1, 2, 3, 245, 255, 254, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, uint8(3), uint8(1), uint8(30), uint16(3), uint8(11))
	zones := []*time.Location{time.UTC, seasonalLoad(f, "Europe/Berlin"), seasonalLoad(f, "Australia/Lord_Howe")}
	steps := []struct{ step, period time.Duration }{
		{6 * time.Hour, 24 * time.Hour},      // 4 buckets a season
		{12 * time.Hour, 7 * 24 * time.Hour}, // 14
		{24 * time.Hour, 7 * 24 * time.Hour}, // calendar, 7
		{time.Hour, 24 * time.Hour},          // 24
		{24 * time.Hour, 24 * time.Hour},     // calendar, 1
	}
	f.Fuzz(func(t *testing.T, data []byte, cfg, seasons, threshold uint8, from uint16, opts uint8) {
		v := seasonalFuzzValues(data)
		st := steps[int(cfg)%len(steps)]
		loc := zones[int(cfg/8)%len(zones)]
		s := Series{Start: time.Date(2024, 3, 28, 0, 0, 0, 0, loc), Step: st.step, Loc: loc, Values: v}
		if cfg&0x80 != 0 {
			s.Weight = v
		}
		m := Seasonal{Period: st.period, Seasons: 3 + int(seasons)%20, Guards: Guards{
			Direction: Direction(cfg / 32 % 4), Threshold: float64(threshold) / 10, MinDelta: float64(cfg % 3),
		}, Level: LevelAdjust(opts % 4), Daily: int(opts/4) % 7}
		pts, err := m.Detect(s, int(from)%(len(v)+1))
		if err != nil {
			return
		}
		for _, p := range pts {
			seasonalCheckPoint(t, s, p, m.threshold())
		}
	})
}

func seasonalCheckPoint(t *testing.T, s Series, p Point, threshold float64) {
	t.Helper()
	if !(p.Score >= 0 && p.Score <= 1) {
		t.Fatalf("point %d: score %v outside [0,1]", p.Index, p.Score)
	}
	if !p.Judged() {
		if p.Anomaly || p.Score != 0 {
			t.Fatalf("point %d: unjudged but anomaly %v score %v", p.Index, p.Anomaly, p.Score)
		}
		return
	}
	for name, x := range map[string]float64{"expected": p.Expected, "lower": p.Lower, "upper": p.Upper} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("point %d: %s %v from finite history", p.Index, name, x)
		}
	}
	if !(p.Lower <= p.Expected && p.Expected <= p.Upper) {
		t.Fatalf("point %d: band [%v, %v] does not hold expected %v", p.Index, p.Lower, p.Upper, p.Expected)
	}
	v := s.Values[p.Index]
	finite := v-v == 0
	// Z is ±Inf only when the band has no width (a history of exact zeros)
	// or the value is so far outside it that the ratio overflows (1e270
	// against a band of 1e-76).
	overflow := math.IsInf((v-p.Expected)/((p.Upper-p.Expected)/threshold), 0)
	if math.IsNaN(p.Z) || (finite && math.IsInf(p.Z, 0) && p.Lower != p.Upper && !overflow) {
		t.Fatalf("point %d: z %v for value %v, band [%v, %v]", p.Index, p.Z, v, p.Lower, p.Upper)
	}
	if p.Anomaly && (!finite && !math.IsInf(v, 0) || p.Value >= p.Lower && p.Value <= p.Upper) {
		t.Fatalf("point %d: anomaly with value %v inside [%v, %v]", p.Index, p.Value, p.Lower, p.Upper)
	}
}
