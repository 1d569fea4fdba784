package detector

import (
	"math"

	"vigil/internal/humanize"
)

// Missing wraps d to say what a missing bucket (NaN) is. With alert, every
// judged missing bucket is an anomaly, Direction Down with the score of a
// medium-sensitivity breach: "no data for this hour (expected about
// 4,400)". Live, the judged missing bucket is the latest one; in a
// backtest each was the latest in its turn, so the verdict on a bucket does
// not depend on what came after it. Without alert, a missing bucket never
// alerts and its Reason says so.
//
// Missing leaves a bucket alone when d already alerts on it (Freshness
// does, and words it better).
func Missing(d Detector, alert bool) Detector {
	return missing{d: d, alert: alert}
}

type missing struct {
	d     Detector
	alert bool
}

// Detect judges s.Values[from:] with the wrapped detector and then the
// missing buckets.
func (m missing) Detect(s Series, from int) ([]Point, error) {
	pts, err := m.d.Detect(s, from)
	if err != nil {
		return nil, err
	}
	for k := range pts {
		p := &pts[k]
		if !math.IsNaN(p.Value) || p.Anomaly {
			continue
		}
		p.Reason = "no data for " + wrapThis(s.Step)
		if !math.IsNaN(p.Expected) {
			p.Reason += " (expected about " + humanize.Number(p.Expected) + ")"
		}
		if !m.alert {
			p.Reason += "; missing data does not alert"
			continue
		}
		p.Anomaly, p.Direction = true, Down
		p.Z = math.Min(p.Z, -ThresholdMedium)
		p.Score = Score(p.Z)
	}
	return pts, nil
}
