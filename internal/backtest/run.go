package backtest

import (
	"errors"
	"fmt"
	"math"
	"time"

	"vigil/detector"
)

// Row is the verdict on one input row.
type Row struct {
	Line      int       // the row's line in the input file
	Timestamp string    // the timestamp as given
	Time      time.Time // the timestamp parsed
	Bucket    int       // the row's bucket in the input's series
	Value     float64   // the row's value; NaN when missing
	// Expected, Lower and Upper are the method's estimate and normal band
	// for the row's bucket; NaN when the method could not judge it yet.
	Expected, Lower, Upper float64
	Score                  float64 // 0 (as expected) to 1; 0 when not judged or missing
	Anomaly                bool
	Direction              detector.Direction // side of the band the value is on
	Reason                 string             // plain words, on anomalies
}

// Judged reports whether the method had enough history to judge the row.
func (r Row) Judged() bool { return !math.IsNaN(r.Expected) }

// Run judges every row of in with d and returns one Row per input row, in
// input order. See RunFrom.
func Run(d detector.Detector, in Input) ([]Row, error) { return RunFrom(d, in, 0) }

// RunFrom judges the rows whose bucket is at or after from; earlier rows
// (a warm-up) come back unjudged. Each bucket is judged only from the buckets
// before it, as it would have been live, so a verdict never depends on
// later rows. A row that shares its bucket with a later row is judged on its
// own value against the same history. Rows the method cannot judge yet, and
// all rows when d returns an error wrapping detector.ErrNotEnoughData, get
// no estimate, score 0 and no anomaly; missing values are never anomalies.
func RunFrom(d detector.Detector, in Input, from int) ([]Row, error) {
	n := len(in.Series.Values)
	if from < 0 || from > n {
		return nil, fmt.Errorf("backtest: from %d is outside the series of %d buckets", from, n)
	}
	rows := make([]Row, len(in.Rows))
	for i, r := range in.Rows {
		rows[i] = unjudged(r)
	}
	if from == n {
		return rows, nil
	}
	pts, err := d.Detect(in.Series, from)
	if errors.Is(err, detector.ErrNotEnoughData) {
		return rows, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	if len(pts) != n-from {
		return nil, fmt.Errorf("backtest: detector returned %d points for %d buckets", len(pts), n-from)
	}
	j := judge{d: d, s: in.Series}
	owners := in.Owners()
	for i, r := range in.Rows {
		if r.Bucket < from {
			continue
		}
		p := pts[r.Bucket-from]
		if owners[r.Bucket] != i && !math.IsNaN(r.Value) && r.Value != in.Series.Values[r.Bucket] {
			if p, err = j.alone(r.Bucket, r.Value); err != nil {
				return nil, fmt.Errorf("backtest: line %d: %w", r.Line, err)
			}
		}
		rows[i].apply(p)
	}
	return rows, nil
}

func unjudged(r Record) Row {
	nan := math.NaN()
	return Row{Line: r.Line, Timestamp: r.Timestamp, Time: r.Time, Bucket: r.Bucket, Value: r.Value,
		Expected: nan, Lower: nan, Upper: nan}
}

// apply copies the verdict p on the row's bucket into the row.
func (r *Row) apply(p detector.Point) {
	if !p.Judged() {
		return
	}
	r.Expected, r.Lower, r.Upper = p.Expected, p.Lower, p.Upper
	if math.IsNaN(r.Value) {
		return
	}
	r.Score = clamp01(p.Score)
	r.Anomaly, r.Direction, r.Reason = p.Anomaly, p.Direction, p.Reason
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}

// judge judges single values in place of a bucket's value.
type judge struct {
	d       detector.Detector
	s       detector.Series
	scratch []float64
}

// alone judges v as the value of bucket b, from the buckets before b.
func (j *judge) alone(b int, v float64) (detector.Point, error) {
	if j.scratch == nil {
		j.scratch = append([]float64(nil), j.s.Values...)
	}
	s := j.s
	s.Values = j.scratch[:b+1]
	if s.Weight != nil {
		s.Weight = s.Weight[:b+1]
	}
	j.scratch[b] = v
	defer func() { j.scratch[b] = j.s.Values[b] }()
	pts, err := j.d.Detect(s, b)
	if errors.Is(err, detector.ErrNotEnoughData) {
		return detector.Point{Expected: math.NaN()}, nil
	}
	if err != nil {
		return detector.Point{}, err
	}
	if len(pts) != 1 {
		return detector.Point{}, fmt.Errorf("detector returned %d points for 1 bucket", len(pts))
	}
	return pts[0], nil
}
