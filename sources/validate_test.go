package sources

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	t0 := time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC)
	ok := hourly(t0, 24)
	edit := func(f func(*Query)) Query { q := ok; f(&q); return q }
	raw := "SELECT b, v FROM t WHERE ts >= {{from}} AND ts < {{ to }} GROUP BY intDiv(ts, {{bucket_seconds}})"
	tests := []struct {
		name string
		q    Query
		want []string // fragments of the error; none means valid
	}{
		{"valid", ok, nil},
		{"valid ratio", edit(func(q *Query) { q.Value, q.Numerator, q.Denominator = "", "a", "b" }), nil},
		{"valid sql", edit(func(q *Query) { q.Value, q.Table, q.Timestamp, q.SQL = "", "", "", raw }), nil},
		{"valid weekly in Berlin", Query{Table: "t", Timestamp: "ts", Value: "count()", Granularity: 7 * 24 * time.Hour,
			Location: zone(t, "Europe/Berlin"), From: time.Date(2024, 3, 25, 0, 0, 0, 0, zone(t, "Europe/Berlin")),
			To: time.Date(2024, 4, 8, 0, 0, 0, 0, zone(t, "Europe/Berlin"))}, nil},
		{"no form", edit(func(q *Query) { q.Value = " " }), []string{"set one of"}},
		{"two forms", edit(func(q *Query) { q.Numerator, q.Denominator = "a", "b" }), []string{"only one"}},
		{"half a ratio", edit(func(q *Query) { q.Value, q.Numerator = "", "a" }), []string{"both numerator and denominator"}},
		{"no table or time", edit(func(q *Query) { q.Table, q.Timestamp = "", "" }), []string{"table is empty", "timestamp column is empty"}},
		{"sql without bounds", edit(func(q *Query) { q.Value, q.SQL = "", "SELECT 1" }), []string{"{{from}}", "{{to}}"}},
		{"sql with unknown placeholder", edit(func(q *Query) { q.Value, q.SQL = "", raw+" {{form}}" }), []string{"unknown placeholder {{form}}"}},
		{"sub-second granularity", edit(func(q *Query) { q.Granularity = 1500 * time.Millisecond }), []string{"whole number of seconds"}},
		{"no granularity", edit(func(q *Query) { q.Granularity = 0 }), []string{"granularity"}},
		{"empty window", edit(func(q *Query) { q.To = q.From }), []string{"window is empty"}},
		{"no window", edit(func(q *Query) { q.From = time.Time{} }), []string{"needs both"}},
		{"misaligned from", edit(func(q *Query) { q.From = q.From.Add(time.Minute) }), []string{"window from", "not a bucket start"}},
		{"day not at local midnight", edit(func(q *Query) {
			q.Granularity, q.Location = 24*time.Hour, zone(t, "Europe/Berlin")
		}), []string{"not a bucket start of 24h0m0s in Europe/Berlin"}},
		{"Local zone for days", edit(func(q *Query) { q.Granularity, q.Location = 24*time.Hour, time.Local }), []string{"named time zone"}},
		{"too many buckets", edit(func(q *Query) { q.Granularity, q.To = time.Second, q.From.Add(MaxBuckets*time.Second+time.Second) }),
			[]string{"more than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate(%s) = %v, want nil", tt.name, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%s) = nil, want an error with %q", tt.name, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate(%s) = %q, want it to contain %q", tt.name, err, w)
				}
			}
			if !strings.Contains(err.Error(), `rule "orders"`) && tt.q.Rule != "" {
				t.Errorf("Validate(%s) = %q, want it to name the rule", tt.name, err)
			}
		})
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		q    Query
		want Kind
	}{{Query{Value: "count()"}, KindValue}, {Query{Numerator: "a", Denominator: "b"}, KindRatio}, {Query{SQL: "x"}, KindSQL}}
	for _, tt := range tests {
		if got := tt.q.Kind(); got != tt.want {
			t.Errorf("%+v.Kind() = %d, want %d", tt.q, got, tt.want)
		}
	}
}
