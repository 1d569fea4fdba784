package state

import (
	"bytes"
	"fmt"
	"slices"
	"time"
)

// Feedback is a person's verdict on a span of a rule's buckets: a real
// anomaly (Confirmed) or not one (NotAnomaly). Baselines skip the spans
// given by ExcludedRanges, so an anomaly does not teach the detector that
// it is normal.
type Feedback struct {
	Rule     string    `json:"rule"`
	Series   string    `json:"series,omitempty"`
	Incident string    `json:"incident,omitempty"` // "" when given for a span directly
	Start    time.Time `json:"start"`              // first bucket's start
	End      time.Time `json:"end"`                // last bucket's end (exclusive)
	Kind     string    `json:"kind"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
}

// Range is the span [Start, End).
type Range struct {
	Start, End time.Time
}

func checkFeedbackKind(kind string, allowEmpty bool) error {
	switch {
	case kind == NotAnomaly, kind == Confirmed, kind == "" && allowEmpty:
		return nil
	}
	return fmt.Errorf("unknown feedback %q (want %s or %s)", kind, NotAnomaly, Confirmed)
}

func (f *Feedback) check() error {
	if err := checkName("rule", f.Rule, true); err != nil {
		return err
	}
	if err := checkName("series", f.Series, false); err != nil {
		return err
	}
	if err := checkName("incident", f.Incident, false); err != nil {
		return err
	}
	if err := checkFeedbackKind(f.Kind, false); err != nil {
		return err
	}
	if err := checkTime("start", f.Start); err != nil {
		return err
	}
	if !f.End.After(f.Start) {
		return fmt.Errorf("end %s is not after start %s", f.End.Format(time.RFC3339), f.Start.Format(time.RFC3339))
	}
	return nil
}

func (f *Feedback) key() []byte {
	return join([]byte(f.Rule), timeKey(f.Start), []byte(f.Incident), []byte(f.Series))
}

// AddFeedback records a verdict on a span. A verdict on the same span of
// the same incident (or series) replaces the earlier one.
func (tx *Tx) AddFeedback(f Feedback) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("add feedback: %w", err)
	}
	tx.readersChanged()
	b, err := tx.bucket(bFeedback)
	if err != nil {
		return err
	}
	return putJSON(b, f.key(), f)
}

// SetFeedback records kind (NotAnomaly, Confirmed, or "" to withdraw it),
// given by by at at, on incident id and on each run of its anomalous
// buckets, replacing what was said before. bucketEnd maps a bucket's start
// to its end (start + granularity; the next local midnight for days). The
// starts it gets come back from storage with a fixed UTC offset, not the
// rule's time.Location, so a calendar step must convert first:
// func(t time.Time) time.Time { return t.In(loc).AddDate(0, 0, 1) }.
func (tx *Tx) SetFeedback(id, kind, by string, at time.Time, bucketEnd func(time.Time) time.Time) (Incident, error) {
	if bucketEnd == nil {
		return Incident{}, fmt.Errorf("set feedback on %s: no bucketEnd", id)
	}
	inc, err := tx.UpdateIncident(id, func(inc *Incident) error {
		if err := checkFeedbackKind(kind, true); err != nil {
			return err
		}
		inc.Feedback, inc.FeedbackBy, inc.FeedbackAt = kind, by, at
		return nil
	})
	if err != nil {
		return inc, fmt.Errorf("set feedback on %s: %w", id, err)
	}
	if err := tx.deleteFeedback(inc.Rule, id); err != nil || kind == "" {
		return inc, err
	}
	for _, r := range runs(inc, bucketEnd) {
		err := tx.AddFeedback(Feedback{Rule: inc.Rule, Series: inc.Series, Incident: id,
			Start: r.Start, End: r.End, Kind: kind, By: by, At: at})
		if err != nil {
			return inc, fmt.Errorf("set feedback on %s: %w", id, err)
		}
	}
	return inc, nil
}

// runs merges an incident's anomalous buckets into contiguous spans. An
// incident without points covers its first to its last bucket.
func runs(inc Incident, bucketEnd func(time.Time) time.Time) []Range {
	pts := slices.Clone(inc.Points)
	if len(pts) == 0 {
		last := inc.LastBucket
		if last.Before(inc.Start) {
			last = inc.Start
		}
		return []Range{{inc.Start, bucketEnd(last)}}
	}
	slices.SortFunc(pts, time.Time.Compare)
	var out []Range
	for _, p := range pts {
		end := bucketEnd(p)
		if n := len(out); n > 0 && !p.After(out[n-1].End) {
			if end.After(out[n-1].End) {
				out[n-1].End = end
			}
			continue
		}
		out = append(out, Range{p, end})
	}
	return out
}

// deleteFeedback removes the records of incident id under rule.
func (tx *Tx) deleteFeedback(rule, id string) error {
	var keys [][]byte
	err := tx.eachFeedback(rule, time.Time{}, func(k []byte, f Feedback) {
		if f.Incident == id {
			keys = append(keys, bytes.Clone(k))
		}
	})
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		tx.readersChanged()
	}
	for _, k := range keys {
		if err := tx.del(bFeedback, k); err != nil {
			return err
		}
	}
	return nil
}

// eachFeedback calls fn on rule's records that start before to (all if to
// is zero), by start.
func (tx *Tx) eachFeedback(rule string, to time.Time, fn func(k []byte, f Feedback)) error {
	b, err := tx.bucket(bFeedback)
	if err != nil {
		return err
	}
	p := prefix(rule)
	c := b.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		var f Feedback
		if _, err := getJSON(b, k, &f); err != nil {
			return err
		}
		if !to.IsZero() && !f.Start.Before(to) {
			break // keys are in start order
		}
		fn(k, f)
	}
	return nil
}

// Feedback returns rule's verdicts on spans that overlap [from, to), by
// start. A zero from or to leaves that side open.
func (tx *Tx) Feedback(rule string, from, to time.Time) ([]Feedback, error) {
	var out []Feedback
	err := tx.eachFeedback(rule, to, func(_ []byte, f Feedback) {
		if from.IsZero() || f.End.After(from) {
			out = append(out, f)
		}
	})
	return out, err
}

// ExcludedRanges returns the spans within [from, to) that rule's baselines
// should skip, merged and in order: every span confirmed as an anomaly,
// and, when notAnomaly is true, also the spans marked not an anomaly (for
// rules that treat a one-off, such as a planned promotion, as unfit to
// learn from either way).
func (tx *Tx) ExcludedRanges(rule string, from, to time.Time, notAnomaly bool) ([]Range, error) {
	fbs, err := tx.Feedback(rule, from, to)
	if err != nil {
		return nil, err
	}
	var rs []Range
	for _, f := range fbs {
		if f.Kind == Confirmed || notAnomaly && f.Kind == NotAnomaly {
			rs = append(rs, clip(Range{f.Start, f.End}, from, to))
		}
	}
	return merge(rs), nil
}

func clip(r Range, from, to time.Time) Range {
	if !from.IsZero() && r.Start.Before(from) {
		r.Start = from
	}
	if !to.IsZero() && r.End.After(to) {
		r.End = to
	}
	return r
}

// merge sorts ranges and joins those that overlap or touch.
func merge(rs []Range) []Range {
	slices.SortFunc(rs, func(a, b Range) int { return a.Start.Compare(b.Start) })
	var out []Range
	for _, r := range rs {
		if n := len(out); n > 0 && !r.Start.After(out[n-1].End) {
			if r.End.After(out[n-1].End) {
				out[n-1].End = r.End
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
