package deptest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const (
	humanize = "vigil/internal/humanize" // the standard library only
	detector = "vigil/detector"          // humanize and gonum
)

// recorder is a testing.TB that keeps the failures a rule reports instead
// of failing the test running it.
type recorder struct {
	testing.TB
	errs  []string
	fatal bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}

// record runs rule against a recorder on its own goroutine, so that a
// Fatalf ends only that goroutine.
func record(t *testing.T, rule func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rule(r)
	}()
	<-done
	return r
}

func TestRules(t *testing.T) {
	tests := []struct {
		name      string
		rule      func(testing.TB)
		want      []string // a failure containing each; none when empty
		wantFatal bool
	}{
		{name: "only std", rule: func(t testing.TB) { Only(t, humanize, "...") }},
		{name: "only stale entry", rule: func(t testing.TB) { Only(t, humanize, "...", detector) },
			want: []string{"vigil/internal/humanize does not depend on vigil/detector"}},
		{name: "only exact", rule: func(t testing.TB) { Only(t, detector, "...", humanize, "gonum.org/v1/gonum/...") }},
		{name: "only missing module", rule: func(t testing.TB) { Only(t, detector, "...", humanize) },
			want: []string{"vigil/detector depends on gonum.org/v1/gonum/mat;"}},
		{name: "only vigil scope", rule: func(t testing.TB) { Only(t, detector, "vigil/...", humanize) }},
		{name: "only vigil scope missing one", rule: func(t testing.TB) { Only(t, detector, "vigil/...") },
			want: []string{"vigil/detector depends on vigil/internal/humanize;"}},
		{name: "forbid std", rule: func(t testing.TB) { Forbid(t, humanize, "net/http/...", "strconv") },
			want: []string{"vigil/internal/humanize depends on strconv"}},
		{name: "forbid below", rule: func(t testing.TB) { Forbid(t, detector, "gonum.org/v1/gonum/stat/...") },
			want: []string{"depends on gonum.org/v1/gonum/stat,", "depends on gonum.org/v1/gonum/stat/distuv,"}},
		{name: "forbid none", rule: func(t testing.TB) { Forbid(t, detector, "net/http/...", "database/sql/...") }},
		{name: "within", rule: func(t testing.TB) { Within(t, humanize, detector) }},
		{name: "within outside base", rule: func(t testing.TB) { Within(t, detector, humanize) },
			want: []string{"vigil/detector depends on gonum.org/v1/gonum/mat;"}},
		{name: "unknown package", rule: func(t testing.TB) { List(t, "vigil/no/such/package") },
			want: []string{"go list -deps vigil/no/such/package"}, wantFatal: true},
		{name: "relative path", rule: func(t testing.TB) { List(t, ".") },
			want: []string{"want . last"}, wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record(t, tt.rule)
			if len(tt.want) == 0 && len(r.errs) > 0 {
				t.Errorf("failures %q, want none", r.errs)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(r.errs, func(e string) bool { return strings.Contains(e, w) }) {
					t.Errorf("failures %q, want one containing %q", r.errs, w)
				}
			}
			if r.fatal != tt.wantFatal {
				t.Errorf("fatal = %v, want %v", r.fatal, tt.wantFatal)
			}
		})
	}
}

func TestList(t *testing.T) {
	deps := List(t, humanize)
	if got := deps[len(deps)-1]; got != humanize {
		t.Errorf("List(%s) ends with %s, want the package itself", humanize, got)
	}
	for _, want := range []string{"strconv", "math"} {
		if !slices.Contains(deps, want) {
			t.Errorf("List(%s) = %q, want %s among them", humanize, deps, want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern, path string
		want                bool
	}{
		{"exact", "net/http", "net/http", true},
		{"exact not below", "net/http", "net/http/httptest", false},
		{"below itself", "net/http/...", "net/http", true},
		{"below", "net/http/...", "net/http/httptest", true},
		{"below not sibling", "net/http/...", "net/httpx", false},
		{"below not parent", "net/http/...", "net", false},
		{"everything", "...", "github.com/duckdb/duckdb-go/v2", true},
		{"other", "vigil/...", "github.com/slack-go/slack", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := match(tt.pattern, tt.path); got != tt.want {
				t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
			}
		})
	}
}
