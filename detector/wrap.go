package detector

import (
	"fmt"
	"strconv"
	"time"
)

// This file holds what the wrappers share. A wrapper is a Detector that
// adds one guard to another Detector, the way cron's Chain adds behaviour
// to a job: Clean keeps excluded buckets out of the history, Missing turns
// missing buckets into verdicts, Consecutive holds back all but runs of
// breaches and Mute silences windows and holidays. Like the methods, a
// wrapper is pure and judges each point only from the points before it.

// wrapCheck reports a from outside the series.
func wrapCheck(name string, s Series, from int) error {
	if from < 0 || from > len(s.Values) {
		return fmt.Errorf("%s: from %d is outside the series of %d buckets", name, from, len(s.Values))
	}
	return nil
}

// wrapPoints checks that a wrapped detector returned one point per bucket
// of s.Values[from:], so that a wrapper can index them.
func wrapPoints(name string, pts []Point, s Series, from int) error {
	if len(pts) != len(s.Values)-from {
		return fmt.Errorf("%s: the wrapped detector returned %d points for %d buckets", name, len(pts), len(s.Values)-from)
	}
	return nil
}

// wrapRun words a run of n buckets of the given step: "3 hours", "1 day",
// "3 buckets of 15 minutes".
func wrapRun(n int, step time.Duration) string {
	k, unit := freshnessCount(step)
	if k == 1 {
		return freshnessPlural(int64(n), unit)
	}
	bucket := "buckets"
	if n == 1 {
		bucket = "bucket"
	}
	return strconv.Itoa(n) + " " + bucket + " of " + freshnessPlural(k, unit)
}

// wrapThis names one bucket of the given step: "this hour", "this
// 15-minute bucket".
func wrapThis(step time.Duration) string {
	k, unit := freshnessCount(step)
	if k == 1 {
		return "this " + unit
	}
	return "this " + strconv.FormatInt(k, 10) + "-" + unit + " bucket"
}
