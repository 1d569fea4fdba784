package explain_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/detector/explain"
)

// wantSharesAddUp checks that each breakdown's shares add up to 1 (or their
// absolute values, when the change is offsetting), and that the
// contributions add up to the change.
func wantSharesAddUp(t *testing.T, e *explain.Explanation) {
	t.Helper()
	for _, b := range e.Breakdowns {
		var sum, abs, delta float64
		for _, s := range b.Segments {
			sum += s.Share
			abs += math.Abs(s.Share)
			delta += s.Delta
		}
		name := strings.Join(b.Dimensions, ",")
		if e.Verdict == explain.Offsetting {
			wantNear(t, "Σ|share| by "+name, abs, 1, 1e-9)
		} else {
			wantNear(t, "Σshare by "+name, sum, 1, 1e-9)
		}
		wantNear(t, "Σdelta by "+name, delta, e.Delta, 1e-9*math.Max(1, math.Abs(e.Expected)))
	}
}

func wantVerdict(t *testing.T, e *explain.Explanation, v explain.Verdict) {
	t.Helper()
	if e.Verdict != v {
		t.Fatalf("Verdict = %s, want %s (sentence %q)", e.Verdict, v, e.Sentence)
	}
}

func wantTop(t *testing.T, e *explain.Explanation, seg map[string]string, parent map[string]string) {
	t.Helper()
	if e.ExplainedBy < 1 {
		t.Fatalf("ExplainedBy = %d, want a contributor", e.ExplainedBy)
	}
	wantSegment(t, e.Contributors[0].Segment, seg)
	if p := e.Contributors[0].Parent; (p == nil) != (parent == nil) {
		t.Errorf("Parent = %+v, want %v", p, parent)
	}
}

func wantSegment(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("segment %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("segment %v, want %v", got, want)
		}
	}
}

func wantNear(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.6g, want %.6g ± %.2g", what, got, want, tol)
	}
}

func wantContains(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("sentence %q lacks %q", s, sub)
	}
}

func wantLowPower(t *testing.T, e *explain.Explanation) {
	t.Helper()
	if e.ExplainedShare >= explain.DefaultMinShare/2 {
		t.Errorf("ExplainedShare = %.2f, want below %.2f", e.ExplainedShare, explain.DefaultMinShare/2)
	}
	for _, d := range e.Dimensions {
		if d.ExplanatoryPower >= explain.DefaultMinShare/2 {
			t.Errorf("dimension %s explanatory power %.2f, want below %.2f", d.Name, d.ExplanatoryPower, explain.DefaultMinShare/2)
		}
	}
}

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
