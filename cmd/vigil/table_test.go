package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/detector"
	"vigil/internal/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

func point(t time.Time, value, expected, scale float64) detector.Point {
	p := detector.Point{Time: t, Value: value}
	detector.Guards{Threshold: 4}.JudgeScale(&p, expected, scale, value)
	return p
}

func TestWriteTable(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	b := time.Date(2024, 3, 5, 13, 0, 0, 0, time.UTC)
	results := []engine.Result{
		{Rule: "orders", Location: time.UTC, Bucket: b, Points: []detector.Point{point(b.Add(-time.Hour), 4300, 4400, 120), point(b, 4412.7, 4400, 120)}},
		{Rule: "signups", Location: kolkata, Bucket: b, Points: []detector.Point{point(b, 3210, 4400, 120)}, Notified: true},
		{Rule: "revenue", Location: time.UTC, Bucket: b, Err: fmt.Errorf("query warehouse: %w", errors.New("dial tcp 127.0.0.1:9000: connection refused"))},
		{Rule: "refunds", Location: time.UTC, Bucket: b, Err: fmt.Errorf("detect: %w", detector.ErrNotEnoughData)},
		{Rule: "visits", Location: time.UTC, Bucket: b, Points: []detector.Point{{Time: b, Value: math.NaN(), Expected: math.NaN()}}},
		{Rule: "churn", Location: time.UTC, Bucket: b, Points: []detector.Point{point(b, 90, 20, 3)},
			NotifyErr: errors.Join(errors.New(`notifier "a": timeout`), errors.New(`notifier "b": 500`))},
	}
	var got bytes.Buffer
	if err := writeTable(&got, results); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "once_table.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("writeTable() =\n%s\nwant\n%s", got.String(), want)
	}
	if code, want := onceExit(results), exitFailed; code != want {
		t.Errorf("onceExit() = %d, want %d", code, want)
	}
	if code, want := onceExit(results[:2]), exitOK; code != want {
		t.Errorf("onceExit(anomaly only) = %d, want %d", code, want)
	}
	if code, want := onceExit(results[3:5]), exitOK; code != want {
		t.Errorf("onceExit(no data only) = %d, want %d", code, want)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2024-03-05T14:00:00Z", want: time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)},
		{in: "2024-03-05T14:00:00+05:30", want: time.Date(2024, 3, 5, 8, 30, 0, 0, time.UTC)},
		{in: "2024-03-05 14:00", want: time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)},
		{in: "2024-03-05T14:00", want: time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)},
		{in: " 2024-03-05 14:00:30 ", want: time.Date(2024, 3, 5, 14, 0, 30, 0, time.UTC)},
		{in: "2024-03-05", wantErr: true},
		{in: "14:00", wantErr: true},
		{in: "2024-13-05 14:00", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in)
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Errorf("parseTime(%q) = %s, %v; want %s, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-03-05T14:00:00Z", "2024-03-05 14:00", "2024-03-05T14:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s)
		if err != nil {
			return
		}
		// What parses must survive a round trip through RFC 3339.
		again, err := parseTime(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Errorf("parseTime(%q) = %s, which reads back as %s, %v", s, got, again, err)
		}
	})
}
