package explain_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
)

func TestNoiseOnly(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13, 14, 15} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			sp := shop(nil)
			sp.noise, sp.seed = 0.02, seed
			c := build(sp)
			in := c.input("orders")
			e, err := explain.Explain(context.Background(), &fetcher{c: c}, in, explain.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantLowPower(t, e)
			if math.Abs(in.Actual-in.Expected) < explain.DefaultMinZ*in.Scale {
				wantVerdict(t, e, explain.Noise)
				wantContains(t, e.Sentence, "within normal variation")
			} else if e.Verdict == explain.Explained || e.Verdict == explain.Offsetting {
				t.Errorf("Verdict = %s on noise", e.Verdict)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	combo := shop(is(map[int]string{0: "BR", 1: "android"}, 0.2))
	tests := []struct {
		name      string
		opts      explain.Options
		block     int // fetcher calls from this one hang until the deadline
		wantCalls int
		wantNote  string
	}{
		{name: "one query", opts: explain.Options{MaxQueries: 1}, wantCalls: 1, wantNote: "budget of 1 queries"},
		{name: "depth one", opts: explain.Options{MaxDepth: 1}, wantCalls: 1},
		{name: "time runs out in the drill-down", opts: explain.Options{MaxDuration: 50 * time.Millisecond},
			block: 2, wantCalls: 2, wantNote: "time budget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := build(combo)
			f := &fetcher{c: c, block: tt.block}
			e, err := explain.Explain(context.Background(), f, c.input("orders"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if f.calls() != tt.wantCalls || e.Queries != tt.wantCalls {
				t.Errorf("fetcher calls %d, Queries %d; want %d", f.calls(), e.Queries, tt.wantCalls)
			}
			// Without the drill-down the explanation stays at one dimension.
			wantVerdict(t, e, explain.Explained)
			if c := e.Contributors[0]; len(c.Segment) != 1 || c.Parent != nil {
				t.Errorf("Contributors[0] = %v (parent %v), want a single dimension", c.Segment, c.Parent)
			}
			notes := strings.Join(e.Notes, "\n")
			if tt.wantNote == "" && notes != "" || !strings.Contains(notes, tt.wantNote) {
				t.Errorf("Notes = %q, want %q", notes, tt.wantNote)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	c := build(shop(is(map[int]string{0: "BR", 1: "android"}, 0.2)))
	boom := errors.New("connection reset")
	failOn := func(n int) explain.Fetcher {
		f := &fetcher{c: c}
		return explain.FetcherFunc(func(ctx context.Context, req explain.Request) ([]explain.Cell, error) {
			if f.calls() == n-1 {
				f.reqs = append(f.reqs, req)
				return nil, boom
			}
			return f.Breakdown(ctx, req)
		})
	}
	_, err := explain.Explain(context.Background(), failOn(1), c.input("orders"), explain.Options{})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "breakdown by country; platform; channel") {
		t.Errorf("first breakdown fails: err = %v, want it wrapped with the groups", err)
	}
	e, err := explain.Explain(context.Background(), failOn(2), c.input("orders"), explain.Options{})
	if err != nil {
		t.Fatalf("drill-down fails: err = %v, want a shallower explanation", err)
	}
	if len(e.Notes) != 1 || !strings.Contains(e.Notes[0], "connection reset") {
		t.Errorf("Notes = %q, want the drill-down's error", e.Notes)
	}
	bad := explain.FetcherFunc(func(context.Context, explain.Request) ([]explain.Cell, error) {
		return []explain.Cell{{Group: 0, Values: []string{"a", "b"}}}, nil
	})
	if _, err := explain.Explain(context.Background(), bad, c.input("orders"), explain.Options{}); err == nil ||
		!strings.Contains(err.Error(), "2 values for the 1 dimensions") {
		t.Errorf("malformed cell: err = %v", err)
	}
}

func TestInvalidInput(t *testing.T) {
	c := build(shop(nil))
	tests := []struct {
		name string
		edit func(*explain.Input, *explain.Options)
		want string
	}{
		{"nan actual", func(in *explain.Input, _ *explain.Options) { in.Actual = math.NaN() }, "both must be numbers"},
		{"no dimensions", func(in *explain.Input, _ *explain.Options) { in.Dimensions = nil }, "none to break down by"},
		{"twice", func(in *explain.Input, _ *explain.Options) { in.Dimensions = []string{"a", "a"} }, `"a" listed twice`},
		{"no baseline", func(in *explain.Input, _ *explain.Options) { in.Baseline = nil }, "no baseline buckets"},
		{"no step", func(in *explain.Input, _ *explain.Options) { in.Step = 0 }, "bucket width"},
		{"negative scale", func(in *explain.Input, _ *explain.Options) { in.Scale = -1 }, "scale -1"},
		{"depth", func(_ *explain.Input, o *explain.Options) { o.MaxDepth = 4 }, "max depth 4"},
		{"share", func(_ *explain.Input, o *explain.Options) { o.MinShare = 1.5 }, "min share 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, o := c.input("orders"), explain.Options{}
			tt.edit(&in, &o)
			f := &fetcher{c: c}
			_, err := explain.Explain(context.Background(), f, in, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Explain = %v, want an error with %q", err, tt.want)
			}
			if f.calls() != 0 {
				t.Errorf("fetcher called %d times on invalid input", f.calls())
			}
		})
	}
}

// TestJSON pins the field names other packages and users rely on.
func TestJSON(t *testing.T) {
	c := build(funnel(is(map[int]string{1: "BR"}, 0.5), nil))
	e, err := explain.Explain(context.Background(), &fetcher{c: c}, c.input("conversion"), explain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "explanation", m, "metric", "at", "actual", "expected", "delta", "sentence", "dimensions",
		"contributors", "queries", "explained_share", "verdict", "mix_effect", "rate_effect", "breakdowns")
	wantKeys(t, "dimension", m["dimensions"].([]any)[0].(map[string]any), "name", "surprise", "explanatory_power")
	contrib := m["contributors"].([]any)[0].(map[string]any)
	wantKeys(t, "contributor", contrib, "segment", "actual", "expected", "delta", "share",
		"mix_effect", "rate_effect", "weight", "expected_weight")
	if seg := contrib["segment"].(map[string]any); seg["country"] != "BR" {
		t.Errorf("segment = %v, want country BR", seg)
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s JSON lacks %q: %v", what, k, m)
		}
	}
}
