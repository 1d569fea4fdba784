package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/notifiers/console"
)

// brDrop explains orders that fell from 4,400 to 3,210 at 14:00 UTC, nearly
// all of it in Brazil on Android.
func brDrop(t *testing.T) *explain.Explanation {
	t.Helper()
	at := time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)
	leaves := []struct {
		country, platform string
		cur, base         float64
	}{
		{"BR", "android", 210, 1080}, {"BR", "ios", 200, 190}, {"US", "android", 1500, 1520},
		{"US", "ios", 1300, 1310}, {"DE", "android", 0, 150}, {"DE", "ios", 0, 150},
	}
	f := explain.FetcherFunc(func(_ context.Context, req explain.Request) ([]explain.Cell, error) {
		var cells []explain.Cell
		for g, dims := range req.Groups {
			for _, l := range leaves {
				c := explain.Cell{Group: g, Current: l.cur, Baseline: l.base}
				for _, d := range dims {
					c.Values = append(c.Values, map[string]string{"country": l.country, "platform": l.platform}[d])
				}
				cells = append(cells, c)
			}
		}
		return explain.Fold(req, cells, false)
	})
	e, err := explain.Explain(context.Background(), f, explain.Input{
		Metric: "orders", At: at, Step: time.Hour, Actual: 3210, Expected: 4400, Scale: 60,
		Dimensions: []string{"country", "platform"}, Baseline: explain.Seasons(at, time.Hour, 7*24*time.Hour, 4, nil),
	}, explain.Options{})
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	return e
}

func TestFormatExplanation(t *testing.T) {
	e := brDrop(t)
	got := console.FormatExplanation(e)
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "  why       "+e.Sentence[:20]) {
		t.Errorf("first line %q, want the sentence under why", lines[0])
	}
	var table []string
	for _, l := range lines {
		if len(l) > 80+12 {
			t.Errorf("line %q is longer than %d", l, 80+12)
		}
		if strings.HasPrefix(l, strings.Repeat(" ", 12)) {
			table = append(table, strings.TrimSpace(l))
		}
	}
	joined := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	if !strings.Contains(joined, e.Sentence) {
		t.Errorf("output does not hold the whole sentence %q:\n%s", e.Sentence, got)
	}
	i := len(table) - min(len(e.Contributors), 3) - 1
	if i < 0 || !strings.HasPrefix(table[i], "segment") || !strings.HasPrefix(table[i+1], "country=BR & platform=android") {
		t.Errorf("table %q, want a header and country=BR & platform=android first", table)
	}
}

func TestFormatExplanationNotes(t *testing.T) {
	e := &explain.Explanation{Metric: "orders", Notes: []string{"no explanation: explain orders: breakdown by country: " +
		"rule \"orders\": duckdb breakdown on table orders: Binder Error: Referenced column \"country\" not found in FROM clause"}}
	want := "  note      no explanation: explain orders: breakdown by country: rule \"orders\": duckdb\n" +
		"            breakdown on table orders: Binder Error: Referenced column \"country\" not\n" +
		"            found in FROM clause\n"
	if got := console.FormatExplanation(e); got != want {
		t.Errorf("FormatExplanation(notes only) =\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatExplanationNothing(t *testing.T) {
	var none *explain.Explanation
	for _, x := range []any{nil, none, "a string", map[string]any{"sentence": "x"}} {
		if got := console.FormatExplanation(x); got != "" {
			t.Errorf("FormatExplanation(%#v) = %q, want nothing", x, got)
		}
	}
}
