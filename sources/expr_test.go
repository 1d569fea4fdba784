package sources

import (
	"strings"
	"testing"
)

func TestRewriteCalls(t *testing.T) {
	upper := func(name string, args []string) (string, error) {
		if strings.EqualFold(name, "uniq") {
			return "UNIQ[" + strings.Join(args, "|") + "]", nil
		}
		return "", nil
	}
	tests := []struct {
		name, in, want string
	}{
		{"plain call", "uniq(user_id)", "UNIQ[user_id]"},
		{"nested, inner first", "sum(uniq(a)) + uniq(b, c)", "sum(UNIQ[a]) + UNIQ[b| c]"},
		{"inside strings untouched", "countIf(s = 'uniq(x)') + uniq(\"uniq(\")", "countIf(s = 'uniq(x)') + UNIQ[\"uniq(\"]"},
		{"escaped quotes", `countIf(c = 'd''Iv\'oire') / uniq(x)`, `countIf(c = 'd''Iv\'oire') / UNIQ[x]`},
		{"spaces kept", "count ( )  +  sum( a , b )", "count ( )  +  sum( a , b )"},
		{"grouping parens", "(uniq(a) + 1) * 2", "(UNIQ[a] + 1) * 2"},
		{"qualified name is not a call to rewrite", "db.uniq(a)", "db.uniq(a)"},
		{"non-ASCII", "sumIf(amount, country = '日本')", "sumIf(amount, country = '日本')"},
		{"top-level comma", "a, uniq(b)", "a, UNIQ[b]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RewriteCalls(tt.in, upper)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("RewriteCalls(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"sum(a", "sum(a))", "countIf(s = 'x)", "f(\"x)"} {
		if _, err := RewriteCalls(bad, upper); err == nil {
			t.Errorf("RewriteCalls(%q) = nil error, want one", bad)
		}
	}
}

func TestHasAggregate(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"orders", false}, {"price * quantity", false}, {"if(status = 'paid', 1, 0)", false},
		{"count()", true}, {"countIf(paid)", true}, {"sum(a) / 2", true}, {"toFloat64(uniqExact(x))", true},
		{"'sum(x)'", false}, {"minIf(a, b)", true}, {"abs(x)", false},
	}
	for _, tt := range tests {
		got, err := HasAggregate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("HasAggregate(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

// FuzzRewriteCalls checks that a rewrite that changes nothing returns the
// expression exactly, and that no input panics.
func FuzzRewriteCalls(f *testing.F) {
	for _, s := range []string{"count()", "sumIf(amount, c = 'x''y')", "f(g(h(1), 'a,b'), \"q\")", "((a)", "`x`(1)", "a\\'b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := RewriteCalls(s, func(string, []string) (string, error) { return "", nil })
		if err == nil && got != s {
			t.Fatalf("RewriteCalls(%q) with no rewrite = %q", s, got)
		}
	})
}
