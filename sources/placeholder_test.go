package sources

import (
	"strings"
	"testing"
	"time"
)

func TestExpandSQL(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	q := Query{Rule: "r", Granularity: 15 * time.Minute,
		From: time.Date(2024, 3, 31, 4, 0, 0, 0, berlin), To: time.Date(2024, 3, 31, 5, 0, 0, 0, berlin)}
	lit := func(t time.Time) string { return "<" + t.Format(time.RFC3339) + ">" }
	tests := []struct {
		name, sql, want string
	}{
		{"all three", "SELECT intDiv(ts, {{bucket_seconds}}) WHERE ts >= {{from}} AND ts < {{to}}",
			"SELECT intDiv(ts, 900) WHERE ts >= <2024-03-31T02:00:00Z> AND ts < <2024-03-31T03:00:00Z>"},
		{"spaces and repeats", "{{ to }} {{from}} {{from }}",
			"<2024-03-31T03:00:00Z> <2024-03-31T02:00:00Z> <2024-03-31T02:00:00Z>"},
		{"other braces untouched", "SELECT '{x}', {{from}}, {{to}}",
			"SELECT '{x}', <2024-03-31T02:00:00Z>, <2024-03-31T03:00:00Z>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := q
			q.SQL = tt.sql
			got, err := ExpandSQL(q, lit)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ExpandSQL(%q) = %q, want %q", tt.sql, got, tt.want)
			}
		})
	}
	q.SQL = "{{from}} {{to}} {{table}}"
	if _, err := ExpandSQL(q, lit); err == nil || !strings.Contains(err.Error(), "{{table}}") {
		t.Errorf("ExpandSQL(unknown placeholder) error = %v, want it to name {{table}}", err)
	}
}
