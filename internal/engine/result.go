package engine

import (
	"errors"
	"math"
	"time"

	"vigil/detector"
	"vigil/detector/explain"
)

// Verdict sums up one rule's evaluation.
type Verdict int8

// Verdicts, as printed by String.
const (
	VerdictOK      Verdict = iota // the latest settled bucket is within its band
	VerdictAnomaly                // the latest settled bucket is anomalous
	VerdictError                  // the rule could not be evaluated
	VerdictNoData                 // nothing to judge: the bucket is missing or there is too little history
)

// String returns "OK", "ANOMALY", "ERROR" or "NO DATA".
func (v Verdict) String() string {
	switch v {
	case VerdictOK:
		return "OK"
	case VerdictAnomaly:
		return "ANOMALY"
	case VerdictError:
		return "ERROR"
	}
	return "NO DATA"
}

// Result is the outcome of evaluating one rule at one time.
type Result struct {
	Rule        string
	Source      string
	Location    *time.Location // the rule's zone
	Granularity time.Duration
	// Bucket is the start of the latest settled bucket, the one judged.
	Bucket time.Time
	// Points are the verdicts on the latest buckets, oldest first, ending
	// with Bucket when the evaluation succeeded. The earlier ones give
	// context (an alert's chart); only the last one can raise an alert.
	Points []detector.Point
	Series detector.Series // what the source returned, cut at Bucket
	// Err is why the rule could not be judged; it wraps
	// detector.ErrNotEnoughData when history was too short.
	Err error
	// Explanation is why the latest bucket moved, when it opened an
	// incident and the metric has dimensions; a failed drill-down leaves
	// one whose Notes say why.
	Explanation *explain.Explanation
	NotifyErr   error // deliveries that failed, joined
	Notified    bool  // an alert was sent for this evaluation
	Duration    time.Duration
}

// Latest returns the verdict on the latest settled bucket.
func (r Result) Latest() (detector.Point, bool) {
	if len(r.Points) == 0 || !r.Points[len(r.Points)-1].Time.Equal(r.Bucket) {
		return detector.Point{}, false
	}
	return r.Points[len(r.Points)-1], true
}

// Verdict sums the result up.
func (r Result) Verdict() Verdict {
	switch {
	case errors.Is(r.Err, detector.ErrNotEnoughData):
		return VerdictNoData
	case r.Err != nil:
		return VerdictError
	}
	p, ok := r.Latest()
	switch {
	case !ok:
		return VerdictNoData
	case p.Anomaly:
		// before the missing-value check: a missing bucket is an anomaly
		// when the rule says so (missing: alert, freshness)
		return VerdictAnomaly
	case math.IsNaN(p.Value) || !p.Judged():
		return VerdictNoData
	}
	return VerdictOK
}

// Failed reports whether the rule could not be evaluated or its alert could
// not be delivered.
func (r Result) Failed() bool {
	return r.Verdict() == VerdictError || r.NotifyErr != nil
}
