package engine

import (
	"errors"
	"fmt"
	"math"
	"time"

	"vigil/detector"
	"vigil/detector/explain"
	"vigil/internal/humanize"
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
	// History is how far before the judged bucket the rule's method reads.
	History   time.Duration
	NotifyErr error // deliveries that failed, joined
	Notified  bool  // an alert was sent for this evaluation
	Duration  time.Duration
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

// NoDataReason says in words why a result with VerdictNoData has nothing
// to judge: its error, a missing bucket, or too little history before a
// bucket that has a value.
func (r Result) NoDataReason() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	p, ok := r.Latest()
	if !ok || math.IsNaN(p.Value) {
		return "no data for this bucket"
	}
	first := -1
	for i, v := range r.Series.Values {
		if !math.IsNaN(v) {
			first = i
			break
		}
	}
	why := "not judged yet: too little history before this bucket"
	if first >= 0 {
		start := r.Series.Time(first)
		why += fmt.Sprintf(" (data from %s, %s before it", start.In(r.loc()).Format("2006-01-02 15:04 MST"), humanize.Span(r.Bucket.Sub(start)))
		if r.History > 0 {
			why += fmt.Sprintf("; the method reads up to %s", humanize.Span(r.History))
		}
		why += ")"
	}
	return why
}

func (r Result) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// Failed reports whether the rule could not be evaluated or its alert could
// not be delivered.
func (r Result) Failed() bool {
	return r.Verdict() == VerdictError || r.NotifyErr != nil
}
