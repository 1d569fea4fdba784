package engine

import (
	"errors"
	"math"
	"testing"
	"time"

	"vigil/detector"
)

func TestNoDataReason(t *testing.T) {
	start := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	bucket := start.Add(478 * time.Hour)
	nan := math.NaN()
	series := func(vals ...float64) detector.Series {
		return detector.Series{Start: start, Step: time.Hour, Values: vals}
	}
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{"error", Result{Err: errors.New("detect: boom")}, "detect: boom"},
		{"no point", Result{Bucket: bucket}, "no data for this bucket"},
		{"missing bucket", Result{Bucket: bucket, Points: []detector.Point{{Time: bucket, Value: nan}}}, "no data for this bucket"},
		{"too little history", Result{Bucket: bucket, History: 2230 * time.Hour, Series: series(nan, 5, 6),
			Points: []detector.Point{{Time: bucket, Value: 60, Expected: nan}}},
			"not judged yet: too little history before this bucket (data from 2026-11-05 01:00 UTC, 20 days before it; the method reads up to 13.3 weeks)"},
		{"history unknown", Result{Bucket: bucket, Series: series(5),
			Points: []detector.Point{{Time: bucket, Value: 60, Expected: nan}}},
			"not judged yet: too little history before this bucket (data from 2026-11-05 00:00 UTC, 20 days before it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v := tt.res.Verdict(); v != VerdictNoData && tt.res.Err == nil {
				t.Fatalf("verdict %s, want NO DATA", v)
			}
			if got := tt.res.NoDataReason(); got != tt.want {
				t.Errorf("NoDataReason() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
