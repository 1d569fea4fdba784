package state

import (
	"reflect"
	"testing"
	"time"
)

const h = time.Hour

func hourly(t time.Time) time.Time { return t.Add(h) }

func TestSetFeedbackRecordsRuns(t *testing.T) {
	s := newStore(t)
	inc := firing("orders", "country=BR", t0)
	// Two runs of anomalous buckets with a normal hour between.
	inc.Points = []time.Time{t0.Add(3 * h), t0, t0.Add(h), t0.Add(4 * h)}
	inc.LastBucket = t0.Add(5 * h)
	must(t, s.PutIncident(&inc))

	got, err := s.SetFeedback(inc.ID, Confirmed, "@ana", t0.Add(6*h), hourly)
	must(t, err)
	if got.Feedback != Confirmed || got.FeedbackBy != "@ana" {
		t.Errorf("incident feedback = %q by %q", got.Feedback, got.FeedbackBy)
	}
	fbs, err := s.Feedback("orders", time.Time{}, time.Time{})
	must(t, err)
	want := []Range{{t0, t0.Add(2 * h)}, {t0.Add(3 * h), t0.Add(5 * h)}}
	if r := ranges(fbs); !reflect.DeepEqual(r, want) {
		t.Errorf("Feedback ranges = %v, want %v", r, want)
	}
	for _, f := range fbs {
		if f.Incident != inc.ID || f.Series != "country=BR" || f.Kind != Confirmed || f.By != "@ana" {
			t.Errorf("feedback record %+v", f)
		}
	}

	// Changing one's mind replaces the records; withdrawing removes them.
	_, err = s.SetFeedback(inc.ID, NotAnomaly, "@bob", t0.Add(7*h), hourly)
	must(t, err)
	fbs, _ = s.Feedback("orders", time.Time{}, time.Time{})
	if len(fbs) != 2 || fbs[0].Kind != NotAnomaly || fbs[1].By != "@bob" {
		t.Errorf("after changing the verdict: %+v", fbs)
	}
	_, err = s.SetFeedback(inc.ID, "", "@bob", t0.Add(8*h), hourly)
	must(t, err)
	if fbs, _ = s.Feedback("orders", time.Time{}, time.Time{}); len(fbs) != 0 {
		t.Errorf("after withdrawing: %+v", fbs)
	}
	if _, err := s.SetFeedback(inc.ID, "meh", "@bob", t0, hourly); err == nil {
		t.Error("SetFeedback(unknown kind) succeeded")
	}
}

func ranges(fbs []Feedback) []Range {
	var out []Range
	for _, f := range fbs {
		out = append(out, Range{f.Start.UTC(), f.End.UTC()})
	}
	return out
}

func TestSetFeedbackDailyBuckets(t *testing.T) {
	// Daily buckets across the end of daylight saving time: the day is 25h.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("tz data: %v", err)
	}
	s := newStore(t)
	day := time.Date(2024, 11, 3, 0, 0, 0, 0, ny)
	inc := firing("revenue", "", day)
	inc.Points = []time.Time{day, day.AddDate(0, 0, 1)}
	must(t, s.PutIncident(&inc))
	_, err = s.SetFeedback(inc.ID, Confirmed, "@ana", t0, func(t time.Time) time.Time { return t.In(ny).AddDate(0, 0, 1) })
	must(t, err)
	got, err := s.ExcludedRanges("revenue", time.Time{}, time.Time{}, false)
	must(t, err)
	if len(got) != 1 || !got[0].Start.Equal(day) || !got[0].End.Equal(day.AddDate(0, 0, 2)) || got[0].End.Sub(got[0].Start) != 49*h {
		t.Errorf("ExcludedRanges = %v, want one 49h range from %v", got, day)
	}
}

func TestExcludedRanges(t *testing.T) {
	s := newStore(t)
	add := func(rule string, start, end time.Duration, kind string) {
		must(t, s.AddFeedback(Feedback{Rule: rule, Start: t0.Add(start), End: t0.Add(end), Kind: kind, By: "@ana", At: t0}))
	}
	add("orders", 0, 2*h, Confirmed)
	add("orders", h, 3*h, Confirmed)    // overlaps the first
	add("orders", 3*h, 4*h, NotAnomaly) // touches it
	add("orders", 10*h, 12*h, Confirmed)
	add("orders", 20*h, 21*h, NotAnomaly)
	add("orders2", 0, 48*h, Confirmed) // another rule with a longer name

	r := func(a, b time.Duration) Range { return Range{t0.Add(a), t0.Add(b)} }
	tests := []struct {
		name       string
		from, to   time.Time
		notAnomaly bool
		want       []Range
	}{
		{"confirmed only", time.Time{}, time.Time{}, false, []Range{r(0, 3*h), r(10*h, 12*h)}},
		{"with not-anomaly", time.Time{}, time.Time{}, true, []Range{r(0, 4*h), r(10*h, 12*h), r(20*h, 21*h)}},
		{"clipped", t0.Add(h + 30*time.Minute), t0.Add(11 * h), false, []Range{r(h+30*time.Minute, 3*h), r(10*h, 11*h)}},
		{"window between", t0.Add(4 * h), t0.Add(10 * h), true, nil},
		{"end is exclusive", t0.Add(12 * h), t0.Add(20 * h), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ExcludedRanges("orders", tt.from, tt.to, tt.notAnomaly)
			must(t, err)
			for i := range got {
				got[i] = Range{got[i].Start.UTC(), got[i].End.UTC()}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ExcludedRanges = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAddFeedbackRejects(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name string
		f    Feedback
	}{
		{"no rule", Feedback{Start: t0, End: t0.Add(h), Kind: Confirmed}},
		{"empty span", Feedback{Rule: "orders", Start: t0, End: t0, Kind: Confirmed}},
		{"no kind", Feedback{Rule: "orders", Start: t0, End: t0.Add(h)}},
		{"zero start", Feedback{Rule: "orders", End: t0, Kind: Confirmed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.AddFeedback(tt.f); err == nil {
				t.Errorf("AddFeedback(%+v) succeeded", tt.f)
			}
		})
	}
}
