package sources_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

var bt = time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)

func breakdownQuery() sources.Query {
	return sources.Query{Rule: "orders", Table: "orders", Timestamp: "ts", Value: "count()"}
}

func breakdownRequest(groups ...[]string) explain.Request {
	return explain.Request{Groups: groups, Current: explain.Bucket(bt, time.Hour, nil),
		Baseline: explain.Seasons(bt, time.Hour, 7*24*time.Hour, 2, nil)}
}

func TestNewPlan(t *testing.T) {
	p, err := sources.NewPlan(breakdownQuery(), breakdownRequest(
		[]string{"country"}, []string{"platform", "country"}, []string{"country", "platform"}, []string{"platform"}))
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	if got := strings.Join(p.Dims, ","); got != "country,platform" {
		t.Errorf("Dims = %s, want country,platform", got)
	}
	if len(p.Sets) != 3 {
		t.Errorf("Sets = %v, want 3: the pair in both orders is one set", p.Sets)
	}
	if p.Periods() != 3 || !p.Ranges[0].From.Equal(bt) {
		t.Errorf("Ranges = %v, want the current bucket then 2 baseline buckets", p.Ranges)
	}
}

func TestNewPlanErrors(t *testing.T) {
	tests := []struct {
		name string
		q    func(*sources.Query)
		req  func(*explain.Request)
		want string
	}{
		{"raw sql", func(q *sources.Query) { q.Value, q.SQL = "", "SELECT 1" }, nil, "sql cannot be broken down"},
		{"no table", func(q *sources.Query) { q.Table = "" }, nil, "table is empty"},
		{"no groups", nil, func(r *explain.Request) { r.Groups = nil }, "no groups"},
		{"empty group", nil, func(r *explain.Request) { r.Groups = [][]string{{}} }, "without dimensions"},
		{"control character", nil, func(r *explain.Request) { r.Groups = [][]string{{"a\nb"}} }, "control characters"},
		{"twice", nil, func(r *explain.Request) { r.Groups = [][]string{{"a", "a"}} }, `"a" twice`},
		{"no baseline", nil, func(r *explain.Request) { r.Baseline = nil }, "no baseline"},
		{"backwards range", nil, func(r *explain.Request) { r.Baseline[0].To = r.Baseline[0].From.Add(-time.Hour) }, "baseline bucket 1: empty range"},
		{"overlap", nil, func(r *explain.Request) { r.Baseline[1] = r.Current }, "baseline bucket 2 overlap"},
		{"too many ranges", nil, func(r *explain.Request) {
			r.Baseline = explain.Seasons(bt, time.Minute, time.Hour, sources.MaxBreakdownRanges, nil)
		}, "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, req := breakdownQuery(), breakdownRequest([]string{"country"})
			if tt.q != nil {
				tt.q(&q)
			}
			if tt.req != nil {
				tt.req(&req)
			}
			_, err := sources.NewPlan(q, req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewPlan(%s) = %v, want an error mentioning %q", tt.name, err, tt.want)
			}
		})
	}
}

// TestCells adds hand-written rows up: periods split into current and the
// baseline mean, a set shared by two groups in different orders, and rows
// out of range refused.
func TestCells(t *testing.T) {
	req := breakdownRequest([]string{"country", "platform"}, []string{"platform", "country"})
	p, err := sources.NewPlan(breakdownQuery(), req)
	if err != nil {
		t.Fatal(err)
	}
	rows := []sources.BreakdownRow{
		{Set: 0, Period: 0, Values: []string{"BR", "web"}, Value: 10},
		{Set: 0, Period: 1, Values: []string{"BR", "web"}, Value: 30},
		{Set: 0, Period: 2, Values: []string{"BR", "web"}, Value: 50},
		{Set: 0, Period: 2, Values: []string{"DE", "ios"}, Value: 8},
	}
	cells, err := p.Cells(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{"0 BR web": {10, 40}, "1 web BR": {10, 40}, "0 DE ios": {0, 4}, "1 ios DE": {0, 4}}
	if len(cells) != len(want) {
		t.Fatalf("Cells = %+v, want %d cells", cells, len(want))
	}
	for _, c := range cells {
		key := strings.Join(append([]string{string(rune('0' + c.Group))}, c.Values...), " ")
		if w, ok := want[key]; !ok || c.Current != w[0] || c.Baseline != w[1] {
			t.Errorf("cell %s = %v / %v, want %v", key, c.Current, c.Baseline, w)
		}
	}
	for _, bad := range []sources.BreakdownRow{
		{Set: 1, Values: []string{"a", "b"}}, {Period: 3, Values: []string{"a", "b"}}, {Values: []string{"a"}},
	} {
		if _, err := p.Cells([]sources.BreakdownRow{bad}); err == nil {
			t.Errorf("Cells(%+v) = nil error, want one", bad)
		}
	}
}

// TestFetcher checks that the fetcher hands the metric's query and the
// request to the source.
func TestFetcher(t *testing.T) {
	var got sources.Query
	var gotReq explain.Request
	b := breakdownFunc(func(_ context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
		got, gotReq = q, req
		return []explain.Cell{{Values: []string{"x"}, Current: 1}}, nil
	})
	cells, err := sources.Fetcher(b, breakdownQuery()).Breakdown(context.Background(), breakdownRequest([]string{"country"}))
	if err != nil || len(cells) != 1 {
		t.Fatalf("Breakdown = %v, %v", cells, err)
	}
	if got.Rule != "orders" || len(gotReq.Groups) != 1 {
		t.Errorf("source got %+v and %+v", got, gotReq)
	}
}

type breakdownFunc func(context.Context, sources.Query, explain.Request) ([]explain.Cell, error)

func (f breakdownFunc) Breakdown(ctx context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
	return f(ctx, q, req)
}
