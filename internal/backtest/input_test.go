package backtest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name, in string
		want     time.Time
	}{
		{"rfc3339 utc", "2024-03-01T14:00:00Z", utc("2024-03-01T14:00:00Z")},
		{"rfc3339 offset", "2024-03-01T14:00:00+01:00", utc("2024-03-01T13:00:00Z")},
		{"offset without colon", "2024-03-01T14:00:00+0100", utc("2024-03-01T13:00:00Z")},
		{"offset hours only", "2024-03-01 14:00:00+02", utc("2024-03-01T12:00:00Z")},
		{"fraction", "2024-03-01T14:00:00.250Z", utc("2024-03-01T14:00:00.25Z")},
		{"no zone is utc", "2024-03-01T14:00:00", utc("2024-03-01T14:00:00Z")},
		{"space", "2024-03-01 14:00:00", utc("2024-03-01T14:00:00Z")},
		{"space and zone", "2024-03-01 14:00:00 +01:00", utc("2024-03-01T13:00:00Z")},
		{"utc suffix", "2024-03-01 14:00:00 UTC", utc("2024-03-01T14:00:00Z")},
		{"minutes", "2024-03-01 14:05", utc("2024-03-01T14:05:00Z")},
		{"date", "2024-03-01", utc("2024-03-01T00:00:00Z")},
		{"padded", "  2024-03-01  ", utc("2024-03-01T00:00:00Z")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTime(tc.in)
			if err != nil {
				t.Fatalf("ParseTime(%q) error %v", tc.in, err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ParseTime(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "yesterday", "2024-13-01", "01/03/2024", "1710000000", "0024-03-01"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = nil error, want one", bad)
		}
	}
}

func TestParseValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64 // NaN for missing
	}{
		{"12.5", 12.5}, {" -3 ", -3}, {"1e6", 1e6}, {"", math.NaN()}, {"NaN", math.NaN()},
		{"null", math.NaN()}, {"NULL", math.NaN()}, {"NA", math.NaN()}, {"n/a", math.NaN()},
	} {
		got, err := ParseValue(tc.in)
		if err != nil || !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("ParseValue(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"12,5", "abc", "Inf", "-inf", "1e400"} {
		if _, err := ParseValue(bad); err == nil {
			t.Errorf("ParseValue(%q) = nil error, want one", bad)
		}
	}
}

func TestReadCSV(t *testing.T) {
	in, err := ReadCSV(strings.NewReader("\ufeffid,Timestamp,VALUE,note\n" +
		"1,2024-03-01T00:00:00Z,10,a\n" +
		"2,2024-03-01T01:00:00Z,,b\n" +
		"3,2024-03-01T02:00:00Z,12,\"x,y\"\n" +
		"4,2024-03-01T05:00:00Z,null,\n" +
		"5,2024-03-01T06:00:00Z,15,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Granularity != time.Hour || !in.Inferred {
		t.Errorf("granularity = %v (inferred %v), want 1h inferred", in.Granularity, in.Inferred)
	}
	want := []float64{10, math.NaN(), 12, math.NaN(), math.NaN(), math.NaN(), 15}
	assertValues(t, in.Series.Values, want)
	if got := in.Series.Start; !got.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("start = %v, want 2024-03-01T00:00Z", got)
	}
	var buckets []int
	for _, r := range in.Rows {
		buckets = append(buckets, r.Bucket)
	}
	if got := buckets; !equalInts(got, []int{0, 1, 2, 5, 6}) {
		t.Errorf("buckets = %v, want [0 1 2 5 6]", got)
	}
	if r := in.Rows[2]; r.Line != 4 || r.Timestamp != "2024-03-01T02:00:00Z" {
		t.Errorf("row 2 = line %d %q, want line 4 and the timestamp as given", r.Line, r.Timestamp)
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"header only", "timestamp,value\n", "no data rows"},
		{"no value column", "timestamp,amount\n2024-03-01,1\n", `line 1: header must name the columns "timestamp" and "value"`},
		{"bad timestamp", "timestamp,value\n2024-03-01,1\n2024-03-0x,2\n", `line 3: timestamp "2024-03-0x"`},
		{"bad value", "timestamp,value\n2024-03-01,1\n2024-03-02,1.2.3\n", `line 3: value "1.2.3" is not a number`},
		{"infinite", "timestamp,value\n2024-03-01,inf\n", `line 2: value "inf" is not finite`},
		{"short row", "timestamp,x,value\n2024-03-01,1,2\n2024-03-02\n", "line 3: 1 fields"},
		{"bad quote", "timestamp,value\n2024-03-01,\"1\n", "csv:"},
		{"one timestamp", "timestamp,value\n2024-03-01,1\n2024-03-01,2\n", "cannot infer the granularity"},
		{"year out of range", "timestamp,value\n2024-03-01T00:00:00Z,1\n2204-03-01T02:00:00Z,1\n", "year 2204 is outside"},
		{"mistyped year", "timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T00:01:00Z,1\n2124-03-01T00:02:00Z,1\n", "mistyped date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadCSV error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReadCSVGrid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		csv     string
		gran    time.Duration
		start   string
		values  []float64
		buckets []int
	}{
		{
			name: "jittered hourly snaps to the hour",
			csv:  "timestamp,value\n2024-03-01 00:01:10,1\n2024-03-01 00:58:30,2\n2024-03-01 02:02:00,3\n2024-03-01 03:00:05,4\n",
			gran: time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 2, 3, 4}, buckets: []int{0, 1, 2, 3},
		},
		{
			name: "unsorted input keeps its order",
			csv:  "timestamp,value\n2024-03-01T02:00:00Z,3\n2024-03-01T00:00:00Z,1\n2024-03-01T01:00:00Z,2\n",
			gran: time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 2, 3}, buckets: []int{2, 0, 1},
		},
		{
			name: "later row of a bucket wins, missing ones do not",
			opts: Options{Granularity: time.Hour},
			csv:  "timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T01:10:00Z,9\n2024-03-01T00:55:00Z,2\n2024-03-01T02:00:00Z,3\n2024-03-01T02:05:00Z,\n2024-03-01T03:00:00Z,4\n",
			gran: time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 9, 3, 4}, buckets: []int{0, 1, 1, 2, 2, 3},
		},
		{
			name: "half-past phase",
			csv:  "timestamp,value\n2024-03-01T00:30:00Z,1\n2024-03-01T01:30:00Z,2\n2024-03-01T03:29:00Z,4\n",
			gran: time.Hour, start: "2024-03-01T00:30:00Z",
			values: []float64{1, 2, math.NaN(), 4}, buckets: []int{0, 1, 3},
		},
		{
			name: "mixed spellings",
			csv:  "timestamp,value\n2024-03-01,1\n2024-03-01T01:00:00Z,2\n2024-03-01 02:00:00,3\n2024-03-01T04:00:00+01:00,4\n",
			gran: time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 2, 3, 4}, buckets: []int{0, 1, 2, 3},
		},
		{
			name: "five minutes",
			csv:  "timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T00:05:00Z,2\n2024-03-01T00:10:00Z,3\n2024-03-01T00:20:00Z,5\n",
			gran: 5 * time.Minute, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 2, 3, math.NaN(), 5}, buckets: []int{0, 1, 2, 4},
		},
		{
			name: "dates are days",
			csv:  "timestamp,value\n2024-03-01,1\n2024-03-02,2\n2024-03-04,4\n",
			gran: 24 * time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 2, math.NaN(), 4}, buckets: []int{0, 1, 3},
		},
		{
			name: "days across a daylight saving change",
			opts: Options{Location: mustLoad(t, "Europe/Berlin")},
			csv:  "timestamp,value\n2024-03-30T00:00:00+01:00,1\n2024-03-31T00:00:00+01:00,2\n2024-04-01T00:00:00+02:00,3\n2024-04-02T00:00:00+02:00,4\n",
			gran: 24 * time.Hour, start: "2024-03-30T00:00:00+01:00",
			values: []float64{1, 2, 3, 4}, buckets: []int{0, 1, 2, 3},
		},
		{
			name: "hours in a zone with a half-hour offset",
			opts: Options{Location: mustLoad(t, "Asia/Kolkata")},
			csv:  "timestamp,value\n2024-03-01T00:00:00+05:30,1\n2024-03-01T01:00:00+05:30,2\n2024-03-01T02:00:00+05:30,3\n",
			gran: time.Hour, start: "2024-02-29T18:30:00Z",
			values: []float64{1, 2, 3}, buckets: []int{0, 1, 2},
		},
		{
			name: "data finer than the granularity keeps whole hours",
			opts: Options{Granularity: time.Hour},
			csv:  "timestamp,value\n" + fiveMinutes(36),
			gran: time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{5, 17, 29, 35}, buckets: fiveMinuteBuckets(36),
		},
		{
			name: "given granularity",
			opts: Options{Granularity: 2 * time.Hour},
			csv:  "timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T01:00:00Z,2\n2024-03-01T02:00:00Z,3\n",
			gran: 2 * time.Hour, start: "2024-03-01T00:00:00Z",
			values: []float64{1, 3}, buckets: []int{0, 1, 1},
		},
		{
			name: "one row with a given granularity",
			opts: Options{Granularity: time.Hour},
			csv:  "ts,v\n2024-03-01T05:00:00Z,7\n",
			gran: time.Hour, start: "2024-03-01T05:00:00Z",
			values: []float64{7}, buckets: []int{0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasPrefix(tc.csv, "ts,") {
				tc.opts.TimeColumn, tc.opts.ValueColumn = "TS", "v"
			}
			in, err := tc.opts.ReadCSV(strings.NewReader(tc.csv))
			if err != nil {
				t.Fatal(err)
			}
			if in.Granularity != tc.gran {
				t.Errorf("granularity = %v, want %v", in.Granularity, tc.gran)
			}
			if want, _ := time.Parse(time.RFC3339, tc.start); !in.Series.Start.Equal(want) {
				t.Errorf("start = %v, want %v", in.Series.Start, want)
			}
			assertValues(t, in.Series.Values, tc.values)
			if in.Series.Loc != tc.opts.Location && (tc.opts.Location != nil || in.Series.Location() != time.UTC) {
				t.Errorf("series zone = %v, want %v", in.Series.Loc, tc.opts.Location)
			}
			var got []int
			for _, r := range in.Rows {
				got = append(got, r.Bucket)
			}
			if !equalInts(got, tc.buckets) {
				t.Errorf("buckets = %v, want %v", got, tc.buckets)
			}
			if got, want := in.Shared(), len(in.Rows)-len(slices.Compact(slices.Sorted(slices.Values(tc.buckets)))); got != want {
				t.Errorf("Shared = %d, want %d", got, want)
			}
			for i, r := range in.Rows {
				if d := in.Series.Time(r.Bucket).Sub(r.Time).Abs(); d > in.Granularity/2 {
					t.Errorf("row %d at %v is %v from its bucket %v", i, r.Time, d, in.Series.Time(r.Bucket))
				}
			}
		})
	}
}

func TestInferGranularity(t *testing.T) {
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		offsets []time.Duration
		want    time.Duration
	}{
		{"gaps do not count", []time.Duration{0, 15 * time.Minute, 30 * time.Minute, 45 * time.Minute, 5 * time.Hour, 5*time.Hour + 15*time.Minute}, 15 * time.Minute},
		{"jitter snaps", []time.Duration{0, 61 * time.Second, 119 * time.Second, 181 * time.Second}, time.Minute},
		{"odd step is kept", []time.Duration{0, 7 * time.Minute, 14 * time.Minute}, 7 * time.Minute},
		{"duplicates ignored", []time.Duration{0, 0, time.Hour, time.Hour, 2 * time.Hour}, time.Hour},
		{"weekly", []time.Duration{0, 168 * time.Hour, 336 * time.Hour}, 168 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var recs []Record
			for _, o := range tc.offsets {
				recs = append(recs, Record{Time: base.Add(o)})
			}
			got, err := InferGranularity(recs)
			if err != nil || got != tc.want {
				t.Errorf("InferGranularity = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestFromSeries(t *testing.T) {
	s := hourly(0, 1, math.NaN(), 3)
	in := FromSeries(s)
	if len(in.Rows) != 4 || in.Rows[3].Bucket != 3 || in.Rows[3].Timestamp != "2024-03-04T03:00:00Z" {
		t.Errorf("FromSeries rows = %+v", in.Rows)
	}
	if !math.IsNaN(in.Rows[2].Value) || in.Granularity != time.Hour {
		t.Errorf("FromSeries lost the gap or the step: %+v", in)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("timestamp,value\n2024-03-01T00:00:00Z,1\n2024-03-01T01:00:00Z,\n2024-03-01T01:40:00Z,3\n")
	f.Add("Value,TIMESTAMP\n5,2024-03-01\n6,2024-03-03\n")
	f.Add("timestamp,value\n2024-03-01 00:00:00,NaN\n2024-03-01 00:00:00,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		in, err := ReadCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		owners := in.Owners()
		for i, r := range in.Rows {
			if r.Bucket < 0 || r.Bucket >= len(in.Series.Values) {
				t.Fatalf("row %d bucket %d outside %d buckets", i, r.Bucket, len(in.Series.Values))
			}
			if owners[r.Bucket] == i && in.Series.Values[r.Bucket] != r.Value {
				t.Fatalf("bucket %d holds %v, want its row's %v", r.Bucket, in.Series.Values[r.Bucket], r.Value)
			}
		}
		if len(in.Series.Values) > 10000 {
			return
		}
		rows, err := Run(trailing(2), in)
		if err != nil || len(rows) != len(in.Rows) {
			t.Fatalf("Run = %d rows, %v; want %d rows", len(rows), err, len(in.Rows))
		}
		for i, r := range rows {
			if r.Line != in.Rows[i].Line || r.Score < 0 || r.Score > 1 || r.Anomaly && (math.IsNaN(r.Value) || !r.Judged()) {
				t.Fatalf("row %d = %+v", i, r)
			}
		}
	})
}

func assertValues(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("values = %v, want %v", got, want)
	}
	for i := range got {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("values = %v, want %v", got, want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustLoad(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// hourly makes an hourly series starting on Monday 2024-03-04.
func hourly(v ...float64) detectorSeries {
	return detectorSeries{Start: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), Step: time.Hour, Values: v}
}

// fiveMinutes makes n rows five minutes apart from midnight, valued by
// their index.
func fiveMinutes(n int) string {
	var b strings.Builder
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "%s,%d\n", t.Add(time.Duration(i)*5*time.Minute).Format(time.RFC3339), i)
	}
	return b.String()
}

// fiveMinuteBuckets are the hourly buckets nearest to fiveMinutes' rows:
// minutes 0 to 25 go to their hour, 30 to 55 to the next (half-way rounds up).
func fiveMinuteBuckets(n int) []int {
	var out []int
	for i := range n {
		out = append(out, (i+6)/12)
	}
	return out
}
