package sourcestest

import (
	"time"

	"vigil/detector/explain"
)

// TrickyValues are dimension values that SQL must receive bound or
// escaped: quotes, a backslash, percent and question marks, comment and
// statement punctuation, non-ASCII text, the empty string and NULL.
var TrickyValues = []string{"O'Brien", `back\slash`, "100%", "日本", "a?b", `"dq"`, "", Null, "x--y", "semi;colon"}

// TrickyDim is a dimension name that must be quoted as an identifier.
const TrickyDim = `app "version"`

// TrickyCube returns a small cube over TrickyValues (dimension country)
// and TrickyDim, with a plain metric or a ratio.
func TrickyCube(ratio bool) *Cube {
	sp := cubeSpec{name: "tricky", dims: []string{"country", TrickyDim},
		values: [][]string{TrickyValues, {"1.0", "2.0", "it's"}}, total: 10000, noise: 0.05, seed: 4,
		effect: where(map[int]string{0: "O'Brien"}, 0.5)}
	if ratio {
		sp.name, sp.ratio = "tricky_ratio", true
		sp.rate = func(v []string) float64 {
			if v[1] == "it's" {
				return 0.2
			}
			return 0.1
		}
	}
	return build(sp)
}

// BreakdownCase is one request every source must answer as WantCells does.
type BreakdownCase struct {
	Name    string
	Request explain.Request
}

// BreakdownCases returns requests over a TrickyCube: each dimension, a
// pair, the same pair in both orders next to a single dimension, Keep lists
// of tricky values (an empty one folding everything), TopK, and a baseline
// of one bucket.
func BreakdownCases(c *Cube) []BreakdownCase {
	req := func(groups ...[]string) explain.Request {
		return explain.Request{Groups: groups, Current: explain.Bucket(c.At, time.Hour, nil), Baseline: c.Baseline}
	}
	with := func(r explain.Request, f func(*explain.Request)) explain.Request { f(&r); return r }
	country, app := []string{"country"}, []string{TrickyDim}
	pair := []string{"country", TrickyDim}
	return []BreakdownCase{
		{"each_dimension", req(country, app)},
		{"pair", req(pair)},
		{"pair_both_orders", req([]string{TrickyDim, "country"}, pair, country)},
		{"keep_tricky", with(req(country, pair), func(r *explain.Request) {
			r.Keep = map[string][]string{"country": {"O'Brien", `back\slash`, "100%", "日本", "a?b", `"dq"`, ""}, TrickyDim: {"it's"}}
		})},
		{"keep_none", with(req(app, pair), func(r *explain.Request) { r.Keep = map[string][]string{TrickyDim: {}} })},
		{"top_k", with(req(country, app), func(r *explain.Request) { r.TopK = 3 })},
		{"one_baseline_bucket", with(req(country), func(r *explain.Request) { r.Baseline = r.Baseline[len(r.Baseline)-1:] })},
	}
}
