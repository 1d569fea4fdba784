package sources

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

type decimal struct{ f float64 }

func (d decimal) Float64() float64 { return d.f }

type exactDecimal struct{ f float64 }

func (d exactDecimal) Float64() (float64, bool) { return d.f, true }

func TestNumber(t *testing.T) {
	f := 2.5
	var nilF *float64
	pf := &f
	tests := []struct {
		name string
		in   any
		want float64
	}{
		{"int64", int64(-3), -3}, {"uint64", uint64(7), 7}, {"uint8", uint8(200), 200}, {"float32", float32(0.5), 0.5},
		{"pointer", &f, 2.5}, {"pointer to pointer", &pf, 2.5}, {"nil", nil, math.NaN()}, {"nil pointer", nilF, math.NaN()},
		{"big int", big.NewInt(1 << 40), 1 << 40}, {"decimal", decimal{1.25}, 1.25}, {"exact decimal", exactDecimal{9}, 9},
		{"bool", true, 1},
	}
	for _, tt := range tests {
		got, err := Number(tt.in)
		if err != nil || !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("Number(%s) = %v, %v, want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := Number("12"); err == nil || !strings.Contains(err.Error(), "string") {
		t.Errorf("Number(string) error = %v, want one naming the type", err)
	}
}

func TestBucketTime(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	q := Query{Rule: "r", Granularity: 24 * time.Hour, Location: berlin}
	want := time.Date(2024, 3, 31, 0, 0, 0, 0, berlin)
	ts := want.UTC()
	tests := []struct {
		name string
		in   any
	}{{"time", ts}, {"pointer", &ts}, {"unix int64", ts.Unix()}, {"unix uint32", uint32(ts.Unix())}}
	for _, tt := range tests {
		got, err := BucketTime(tt.in, q)
		if err != nil || !got.Equal(want) {
			t.Errorf("BucketTime(%s) = %v, %v, want %v", tt.name, got, err, want)
		}
	}
	for _, bad := range []any{nil, "2024-03-31", 1.5, uint64(math.MaxUint64)} {
		if _, err := BucketTime(bad, q); err == nil {
			t.Errorf("BucketTime(%v) = nil error", bad)
		}
	}
	// A date comes as midnight of some zone and means the local day.
	for _, d := range []time.Time{time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, zone(t, "America/New_York"))} {
		got, err := DateBucket(d, q)
		if err != nil || !got.Equal(want) {
			t.Errorf("DateBucket(%s) = %v, %v, want %v", d, got, err, want)
		}
	}
	if _, err := DateBucket(int64(3), q); err == nil {
		t.Error("DateBucket(int) = nil error")
	}
}

func TestKeyTime(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	days := Query{Granularity: 24 * time.Hour, Location: berlin}
	if got, want := KeyTime(19813, days), time.Date(2024, 3, 31, 0, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("KeyTime(19813, daily Berlin) = %s, want %s", got, want)
	}
	hours := Query{Granularity: time.Hour, Location: berlin}
	if got, want := KeyTime(1711846800, hours), time.Unix(1711846800, 0); !got.Equal(want) {
		t.Errorf("KeyTime(1711846800, hourly) = %s, want %s", got, want)
	}
}

func TestRuleComment(t *testing.T) {
	if got, want := RuleComment("a\nb\x00c */"), "-- vigil rule: a b c */\n"; got != want {
		t.Errorf("RuleComment = %q, want %q", got, want)
	}
}

func TestParen(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ts", "ts"}, {"db.t.ts", "db.t.ts"}, {`"my col"`, `"my col"`}, {"`x`.y", "`x`.y"},
		{"toDateTime(created)", "(toDateTime(created))"}, {"a + b", "(a + b)"}, {" ts ", "ts"},
	}
	for _, tt := range tests {
		if got := Paren(tt.in); got != tt.want {
			t.Errorf("Paren(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
