package detector

import (
	"math"
	"sort"
	"time"
)

// Seasonal is a placeholder seasonal baseline: the median and MAD of the same
// slot over the past Seasons periods.
type Seasonal struct {
	Period  time.Duration
	Seasons int
	Guards
}

// Detect judges s.Values[from:].
func (d Seasonal) Detect(s Series, from int) ([]Point, error) {
	if s.Step <= 0 || d.Period < s.Step || from < 0 || from >= len(s.Values) {
		return nil, ErrNotEnoughData
	}
	lag := int(d.Period / s.Step)
	var out []Point
	judged := 0
	for i := from; i < len(s.Values); i++ {
		p := Point{Index: i, Time: s.Time(i), Value: s.Values[i], Expected: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
		var past []float64
		for k := 1; k <= d.Seasons; k++ {
			if j := i - k*lag; j >= 0 && !math.IsNaN(s.Values[j]) {
				past = append(past, s.Values[j])
			}
		}
		if len(past) >= 2 {
			med := median(past)
			dev := make([]float64, len(past))
			for k, v := range past {
				dev[k] = math.Abs(v - med)
			}
			d.JudgeScale(&p, med, 1.4826*median(dev), Volume(s, i, med))
			judged++
		}
		out = append(out, p)
	}
	if judged == 0 {
		return nil, ErrNotEnoughData
	}
	return out, nil
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}
