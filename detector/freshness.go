package detector

import (
	"errors"
	"fmt"
	"math"
)

// Freshness flags data that is late or missing: buckets with no data (NaN),
// and buckets with a value of 0 on a series where zeros are rare, which is
// what a count shows when no rows arrived. It judges presence, not size:
// Threshold, Change and the seasonal methods judge the values.
//
// An empty bucket extends the outage that ends at it. A point is anomalous
// when the outage is longer than Tolerance buckets. Zeros count as empty
// only when the Window buckets before the outage are at least half present
// and at most ZeroShare of those are zero; otherwise a zero is data.
//
// Expected is the typical value, the median of the present buckets in the
// Window before the outage (or before the point, for a present bucket); it
// is NaN without history, and an outage with no history still alerts. The
// band is NaN: presence has no band. Z is −4·(outage length)/(Tolerance+1),
// so the first alerting bucket scores 0.5 and longer outages score higher.
// Guards: only Direction (down or both; missing data is a drop) and
// MinVolume (compared with the typical value, or with the typical weight of
// a ratio) apply.
//
// FreshnessAt judges the age of the newest row instead, for the engine to
// call with the time of the newest row it finds.
type Freshness struct {
	// Window is how many buckets before an outage give the typical value
	// and the share of zeros; 0 means 168 (a week of hours).
	Window int
	// Tolerance is how many empty buckets in a row pass without an alert;
	// 0 alerts on the first empty bucket.
	Tolerance int
	// ZeroShare is the largest share of zeros in the window for which a
	// zero still counts as empty; 0 means 0.01.
	ZeroShare float64
	// KeepZeros makes zeros always count as data, for metrics that can
	// truly be zero.
	KeepZeros bool
	Guards
}

// Defaults of Freshness.
const (
	freshnessDefaultWindow    = 168
	freshnessDefaultZeroShare = 0.01
)

// NewFreshness checks f and returns it with its defaults filled in.
func NewFreshness(f Freshness) (Freshness, error) {
	if err := f.validate(); err != nil {
		return Freshness{}, err
	}
	f.Window, f.ZeroShare = f.window(), f.zeroShare()
	return f, nil
}

func (f Freshness) window() int {
	if f.Window == 0 {
		return freshnessDefaultWindow
	}
	return f.Window
}

func (f Freshness) zeroShare() float64 {
	if f.ZeroShare == 0 {
		return freshnessDefaultZeroShare
	}
	return f.ZeroShare
}

func (f Freshness) validate() error {
	switch {
	case f.Window < 0:
		return fmt.Errorf("freshness: window must be a positive number of buckets, got %d", f.Window)
	case f.Tolerance < 0:
		return fmt.Errorf("freshness: tolerance must be 0 or more buckets, got %d", f.Tolerance)
	case math.IsNaN(f.ZeroShare) || f.ZeroShare < 0 || f.ZeroShare >= 1:
		return fmt.Errorf("freshness: zero share must be at least 0 and below 1, got %v", f.ZeroShare)
	case f.Direction == Up:
		return errors.New("freshness: missing data is a drop; direction must be down or both")
	}
	return thresholdCheckGuards("freshness", f.Guards)
}

// Detect judges s.Values[from:]: each empty bucket as the end of an outage.
func (f Freshness) Detect(s Series, from int) ([]Point, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if err := thresholdCheckSeries("freshness", s, from); err != nil {
		return nil, err
	}
	r := newFreshnessRun(f, s, from)
	pts := make([]Point, s.Len()-from)
	for k := range pts {
		i := from + k
		p := &pts[k]
		p.Index, p.Time, p.Value = i, s.Time(i), s.Values[i]
		p.Lower, p.Upper = math.NaN(), math.NaN()
		if start := r.next(i); start >= 0 {
			f.judgeOutage(p, r, start)
		} else {
			p.Expected = r.win.median()
		}
		r.slide(i)
	}
	return pts, nil
}

// judgeOutage fills p, an empty bucket ending the outage that began at
// bucket start.
func (f Freshness) judgeOutage(p *Point, r *freshnessRun, start int) {
	m := p.Index - start + 1
	p.Expected = r.typicalBefore(start)
	p.Z = -ThresholdMedium * float64(m) / float64(f.Tolerance+1)
	p.Score = Score(p.Z)
	p.Direction = Down
	if m <= f.Tolerance {
		return
	}
	if f.MinVolume > 0 && !(r.volume(start) >= f.MinVolume) {
		return
	}
	p.Anomaly = true
	p.Reason = freshnessReason(r, start, p.Index, p.Expected)
}
