package console_test

import (
	"strings"
	"testing"

	"vigil/notifiers"
	"vigil/notifiers/console"
)

// brDrop explains orders that fell from 4,400 to 3,210, nearly all of it in
// Brazil on Android.
func brDrop() *notifiers.Explanation {
	seg := func(kv ...string) []notifiers.SegmentValue {
		var s []notifiers.SegmentValue
		for i := 0; i < len(kv); i += 2 {
			s = append(s, notifiers.SegmentValue{Dimension: kv[i], Value: kv[i+1]})
		}
		return s
	}
	return &notifiers.Explanation{
		Sentence: "Orders were 3,210 at 14:00 UTC, 27% below the expected 4,400 (−1,190). " +
			"country=BR & platform=android accounts for 81% of the drop (210 vs 1,175 expected).",
		Verdict: "explained",
		Contributors: []notifiers.Contributor{
			{Segment: seg("country", "BR", "platform", "android"), Actual: 210, Expected: 1175, Delta: -965, Share: 0.81},
			{Segment: seg("country", "DE"), Actual: 0, Expected: 326, Delta: -326, Share: 0.27},
			{Segment: seg("country", "US"), Actual: 2800, Expected: 2750, Delta: 50, Share: -0.04},
		},
	}
}

func TestFormatExplanation(t *testing.T) {
	e := brDrop()
	got := console.FormatExplanation(e, "")
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "  why       Orders were 3,210") {
		t.Errorf("first line %q, want the sentence under why", lines[0])
	}
	var table []string
	for _, l := range lines {
		if len(l) > 80+12 {
			t.Errorf("line %q is longer than %d", l, 80+12)
		}
		if strings.HasPrefix(l, strings.Repeat(" ", 12)) && !strings.HasPrefix(l, strings.Repeat(" ", 13)) {
			table = append(table, strings.TrimSpace(l))
		}
	}
	joined := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	if !strings.Contains(joined, e.Sentence) {
		t.Errorf("output does not hold the whole sentence %q:\n%s", e.Sentence, got)
	}
	want := []string{"segment", "country=BR & platform=android", "country=DE", "country=US"}
	if len(table) < len(want) {
		t.Fatalf("table %q, want %d rows", table, len(want))
	}
	table = table[len(table)-len(want):]
	for i, w := range want {
		if !strings.HasPrefix(table[i], w) {
			t.Errorf("table row %d = %q, want it to start with %q", i, table[i], w)
		}
	}
	if !strings.Contains(table[1], "−965") || !strings.Contains(table[1], "81%") {
		t.Errorf("row %q lacks the change −965 and the share 81%%", table[1])
	}
}

func TestFormatExplanationNotes(t *testing.T) {
	e := &notifiers.Explanation{Notes: []string{"no explanation: explain orders: breakdown by country: " +
		"rule \"orders\": duckdb breakdown on table orders: Binder Error: Referenced column \"country\" not found in FROM clause"}}
	want := "  note      no explanation: explain orders: breakdown by country: rule \"orders\": duckdb\n" +
		"            breakdown on table orders: Binder Error: Referenced column \"country\" not\n" +
		"            found in FROM clause\n"
	if got := console.FormatExplanation(e, ""); got != want {
		t.Errorf("FormatExplanation() =\n%s\nwant\n%s", got, want)
	}
	if got := console.FormatExplanation(nil, ""); got != "" {
		t.Errorf("FormatExplanation(nil) = %q, want empty", got)
	}
}
