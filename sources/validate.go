package sources

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxBuckets bounds the length of one query's series, so that a typo in a
// window or granularity fails with a message instead of exhausting memory.
// A year of minutes fits.
const MaxBuckets = 1 << 20

// Kind is the form of a Query: a plain aggregate, a ratio or raw SQL.
type Kind int

// Kinds of query.
const (
	KindValue Kind = iota + 1
	KindRatio
	KindSQL
)

// Kind reports which form q takes. It is meaningful once Validate passed.
func (q Query) Kind() Kind {
	switch {
	case q.SQL != "":
		return KindSQL
	case q.Numerator != "" || q.Denominator != "":
		return KindRatio
	}
	return KindValue
}

// Loc returns the query's zone, UTC when none was set.
func (q Query) Loc() *time.Location {
	if q.Location == nil {
		return time.UTC
	}
	return q.Location
}

// Buckets returns the number of buckets in [From, To). It assumes a valid
// window.
func (q Query) Buckets() int {
	return int(bucketIndex(q.From, q.To, q.Granularity, q.Loc()))
}

// Validate reports every problem of q at once, joined, in the words of the
// rule's own keys: the form (exactly one of value, numerator with
// denominator, or sql), the table and time column, and the window.
func (q Query) Validate() error {
	errs := q.validateForm()
	errs = append(errs, q.validateWindow()...)
	if len(errs) == 0 {
		return nil
	}
	if q.Rule != "" {
		for i, err := range errs {
			errs[i] = fmt.Errorf("rule %q: %w", q.Rule, err)
		}
	}
	return errors.Join(errs...)
}

func (q Query) validateForm() []error {
	var errs []error
	forms := 0
	if strings.TrimSpace(q.Value) != "" {
		forms++
	}
	num, den := strings.TrimSpace(q.Numerator) != "", strings.TrimSpace(q.Denominator) != ""
	if num || den {
		forms++
		if num != den {
			errs = append(errs, errors.New("a ratio needs both numerator and denominator"))
		}
	}
	sql := strings.TrimSpace(q.SQL) != ""
	if sql {
		forms++
	}
	switch {
	case forms == 0:
		errs = append(errs, errors.New("set one of value, numerator/denominator or sql"))
	case forms > 1:
		errs = append(errs, errors.New("set only one of value, numerator/denominator or sql"))
	}
	if sql {
		return append(errs, checkPlaceholders(q.SQL)...)
	}
	if strings.TrimSpace(q.Table) == "" {
		errs = append(errs, errors.New("table is empty"))
	}
	if strings.TrimSpace(q.Timestamp) == "" {
		errs = append(errs, errors.New("timestamp column is empty"))
	}
	return errs
}

func (q Query) validateWindow() []error {
	g := q.Granularity
	if g < time.Second || g%time.Second != 0 {
		return []error{fmt.Errorf("granularity must be a whole number of seconds, at least 1s, got %v", g)}
	}
	var errs []error
	if Days(g) > 0 && q.Loc().String() == "Local" {
		errs = append(errs, errors.New("calendar buckets need a named time zone, not Local"))
	}
	if q.From.IsZero() || q.To.IsZero() {
		return append(errs, errors.New("window needs both from and to"))
	}
	if !q.To.After(q.From) {
		return append(errs, fmt.Errorf("window is empty: to %s is not after from %s", stamp(q.To), stamp(q.From)))
	}
	for _, b := range []struct {
		name string
		t    time.Time
	}{{"from", q.From}, {"to", q.To}} {
		if f := Floor(b.t, g, q.Loc()); !f.Equal(b.t) {
			errs = append(errs, fmt.Errorf("window %s %s is not a bucket start of %v in %s (the bucket starts %s)",
				b.name, stamp(b.t), g, q.Loc(), stamp(f)))
		}
	}
	if len(errs) == 0 && q.Buckets() > MaxBuckets {
		errs = append(errs, fmt.Errorf("window holds %d buckets of %v, more than %d", q.Buckets(), g, MaxBuckets))
	}
	return errs
}

// stamp formats t for messages: RFC 3339 in its own zone.
func stamp(t time.Time) string { return t.Format(time.RFC3339) }
