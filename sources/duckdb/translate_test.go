package duckdb

import (
	"strings"
	"testing"
)

func TestTranslate(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"count()", "count()", "count(*)"},
		{"count(x) kept", "count(x)", "count(x)"},
		{"uniq", "uniq(user_id)", "count(DISTINCT user_id)"},
		{"uniqExact of two", "uniqExact(a, b)", "count(DISTINCT (a, b))"},
		{"countIf", "countIf(status = 'paid')", "count(*) FILTER (WHERE status = 'paid')"},
		{"sumIf", "sumIf(amount, country = 'Côte d''Ivoire')", "coalesce(sum(amount) FILTER (WHERE country = 'Côte d''Ivoire'), 0)"},
		{"uniqIf", "uniqIf(user_id, paid)", "count(DISTINCT user_id) FILTER (WHERE paid)"},
		{"avgIf", "AVGIF(x, y > 1)", "avg(x) FILTER (WHERE y > 1)"},
		{"inside arithmetic", "sum(a) / count()", "sum(a) / count(*)"},
		{"nested", "round(countIf(x > 0) / count(), 2)", "round(count(*) FILTER (WHERE x > 0) / count(*), 2)"},
		{"others pass through", "quantile(0.9)(latency)", "quantile(0.9)(latency)"},
		{"string untouched", "countIf(note = 'uniq(x)')", "count(*) FILTER (WHERE note = 'uniq(x)')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("translate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, bad := range []struct{ in, want string }{
		{"countIf()", "countIf(): takes 1"}, {"sumIf(a)", "sumIf(): takes 2"}, {"uniq()", "uniq(): needs an argument"},
		{"countIf(a, b)", "takes 1"}, {"sum(a", "parentheses"},
	} {
		if _, err := translate(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("translate(%q) error = %v, want one containing %q", bad.in, err, bad.want)
		}
	}
}
