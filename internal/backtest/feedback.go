package backtest

import (
	"slices"
	"time"

	"vigil/detector"
)

// Mark is what a person said about the buckets of [Start, End) from an
// alert's buttons: that they were not an anomaly, or that they were one.
type Mark struct {
	Start, End time.Time
	Confirmed  bool      // a real anomaly; false means not an anomaly
	At         time.Time // when it was said: on a bucket marked twice, the later mark counts
}

// Acked is an incident someone acknowledged, by its anomalous buckets.
type Acked struct {
	Buckets []time.Time
}

// Grid is the buckets of a replay: from First to Last, Step apart. A
// whole-day Step is a calendar step in Loc, as in detector.Series.
type Grid struct {
	First, Last time.Time
	Step        time.Duration
	Loc         *time.Location
}

// Feedback compares what people said about a rule's alerts with what a
// replay of the rule says about the same buckets. It counts only buckets
// of the replay's grid.
type Feedback struct {
	// NotAnomaly is how many buckets people marked not an anomaly, and
	// StillAlert the replay's alerts among them: the false alarms the
	// rule, as configured now, would still raise.
	NotAnomaly int
	StillAlert []detector.Point
	// Confirmed is how many buckets people confirmed as anomalies, and
	// Caught the replay's alerts among them.
	Confirmed int
	Caught    []detector.Point
	// Acked is how many acknowledged incidents have a bucket in the grid,
	// and AckedAlert how many of those the replay alerts on in at least
	// one of their buckets.
	Acked, AckedAlert int
}

// CompareFeedback matches marks and acknowledged incidents with the
// replay's verdicts on the buckets of g. A marked bucket without a verdict
// (missing data, or not one the schedule evaluates) is counted but does
// not alert.
func CompareFeedback(verdicts []detector.Point, marks []Mark, acked []Acked, g Grid) Feedback {
	var out Feedback
	s := detector.Series{Start: g.First, Step: g.Step, Loc: g.Loc}
	if g.Step <= 0 || g.Last.Before(g.First) {
		return out
	}
	last, _ := s.Index(g.Last)
	alerts := map[int]detector.Point{}
	for _, p := range verdicts {
		if i, _ := s.Index(p.Time); p.Anomaly && i >= 0 && i <= last {
			alerts[i] = p
		}
	}
	for i, m := range markedBuckets(s, last, marks) {
		p, alert := alerts[i]
		switch {
		case m.Confirmed:
			out.Confirmed++
			if alert {
				out.Caught = append(out.Caught, p)
			}
		default:
			out.NotAnomaly++
			if alert {
				out.StillAlert = append(out.StillAlert, p)
			}
		}
	}
	sortByTime(out.StillAlert)
	sortByTime(out.Caught)
	for _, a := range acked {
		in, alert := false, false
		for _, b := range a.Buckets {
			if i, _ := s.Index(b); i >= 0 && i <= last {
				in = true
				_, hit := alerts[i]
				alert = alert || hit
			}
		}
		if in {
			out.Acked++
			if alert {
				out.AckedAlert++
			}
		}
	}
	return out
}

// markedBuckets returns, by bucket index up to last, the mark that counts
// for each bucket that some mark covers.
func markedBuckets(s detector.Series, last int, marks []Mark) map[int]Mark {
	out := map[int]Mark{}
	for _, m := range marks {
		i, _ := s.Index(m.Start)
		if s.Time(i).Before(m.Start) {
			i++ // marks start on a bucket; one that does not covers the next
		}
		for i = max(i, 0); i <= last && s.Time(i).Before(m.End); i++ {
			if old, ok := out[i]; !ok || m.At.After(old.At) {
				out[i] = m
			}
		}
	}
	return out
}

func sortByTime(ps []detector.Point) {
	slices.SortFunc(ps, func(a, b detector.Point) int { return a.Time.Compare(b.Time) })
}
