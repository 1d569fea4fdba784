package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a configuration: where it is, which key, what is
// wrong and, where possible, how to fix it.
type Error struct {
	Pos    Pos
	Metric string // the metric's name when the problem is inside a metric
	Path   string // the key path in the user's own names, e.g. "detect.history"
	Msg    string
	err    error // the underlying error, if any, for errors.Is
}

// Error formats e as
// `rules/orders.yaml:14:5: metric "orders": detect.history: need at least 2 seasons, got 1w`.
func (e Error) Error() string {
	var b strings.Builder
	if e.Pos.File != "" {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	if e.Metric != "" {
		fmt.Fprintf(&b, "metric %q: ", e.Metric)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, such as fs.ErrNotExist for a missing
// file, or nil.
func (e Error) Unwrap() error { return e.err }

// Errors lists every problem found while loading a configuration, sorted by
// file (the config file first, then the rules files in load order), then
// line and column.
type Errors []Error

// Error returns one problem per line.
func (e *Errors) Error() string {
	lines := make([]string, len(*e))
	for i, x := range *e {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems as errors, so that errors.Is and errors.As see
// each of them.
func (e *Errors) Unwrap() []error {
	errs := make([]error, len(*e))
	for i, x := range *e {
		errs[i] = x
	}
	return errs
}

// sortErrors orders errs by the rank of their file (unknown files last,
// in name order), then line and column, keeping the order of problems found
// at the same place.
func sortErrors(errs []Error, rank map[string]int) {
	r := func(file string) int {
		if n, ok := rank[file]; ok {
			return n
		}
		return len(rank)
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Pos, errs[j].Pos
		if ra, rb := r(a.File), r(b.File); ra != rb {
			return ra < rb
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// redact replaces every secret in the messages with <secret>. Secrets are
// replaced longest first so that one containing another is hidden whole.
func redact(errs []Error, secrets []string) {
	s := append([]string(nil), secrets...)
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	for i := range errs {
		for _, sec := range s {
			if sec == "" {
				continue
			}
			errs[i].Msg = strings.ReplaceAll(errs[i].Msg, sec, "<secret>")
			errs[i].Path = strings.ReplaceAll(errs[i].Path, sec, "<secret>")
			errs[i].Metric = strings.ReplaceAll(errs[i].Metric, sec, "<secret>")
		}
	}
}

// oneOf describes a value outside valid: it suggests the closest valid value
// when one is near, and always lists them all.
func oneOf(what, got string, valid []string) string {
	msg := fmt.Sprintf("unknown %s %q", what, got)
	if s := suggest(got, valid); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + " (valid: " + strings.Join(valid, ", ") + ")"
}

// suggest returns the candidate closest to word by edit distance, ignoring
// case, when it is close enough to be a likely typo, or "".
func suggest(word string, candidates []string) string {
	best, bestD := "", -1
	w := strings.ToLower(word)
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, min(3, len([]rune(word))/3))
	if bestD >= 0 && bestD <= limit {
		return best
	}
	// A cut-short word, such as "duck" for "duckdb".
	for _, c := range candidates {
		if len(w) >= 3 && strings.HasPrefix(strings.ToLower(c), w) {
			return c
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each cost 1.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	if len(x) > 64 || len(y) > 64 {
		// Long words are never typos of a key; avoid quadratic work.
		if a == b {
			return 0
		}
		return max(len(x), len(y))
	}
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
