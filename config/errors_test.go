package config

import (
	"errors"
	"io/fs"
	"testing"
)

func TestSuggest(t *testing.T) {
	keys := []string{"history", "seasonality", "sensitivity", "threshold", "min_delta", "min_volume", "direction", "method"}
	tests := []struct {
		name string
		word string
		want string
	}{
		{"swap", "histroy", "history"},
		{"missing letter", "sensitivty", "sensitivity"},
		{"extra letter", "threshhold", "threshold"},
		{"case", "Method", "method"},
		{"dash for underscore", "min-delta", "min_delta"},
		{"cut short", "season", "seasonality"},
		{"unrelated", "colour", ""},
		{"short unrelated", "ab", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suggest(tt.word, keys); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "", 3}, {"", "abc", 3},
		{"kitten", "sitting", 3}, {"histroy", "history", 1}, {"ab", "ba", 1}, {"ca", "abc", 3},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := editDistance(tt.a, tt.b); got != tt.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	pos := Pos{File: "rules/orders.yaml", Line: 14, Column: 5}
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"metric", Error{Pos: pos, Metric: "orders", Path: "detect.history", Msg: "need at least 2 seasons, got 1w"},
			`rules/orders.yaml:14:5: metric "orders": detect.history: need at least 2 seasons, got 1w`},
		{"config key", Error{Pos: Pos{File: "vigil.yaml", Line: 3, Column: 1}, Path: "sources.db.type", Msg: "missing"},
			"vigil.yaml:3:1: sources.db.type: missing"},
		{"line only", Error{Pos: Pos{File: "vigil.yaml", Line: 3}, Msg: "invalid YAML"}, "vigil.yaml:3: invalid YAML"},
		{"file only", Error{Pos: Pos{File: "vigil.yaml"}, Msg: "cannot read"}, "vigil.yaml: cannot read"},
		{"nothing but a message", Error{Msg: "odd"}, "odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorsSortAndUnwrap(t *testing.T) {
	errs := []Error{
		{Pos: Pos{File: "rules/b.yaml", Line: 1, Column: 1}, Msg: "b1"},
		{Pos: Pos{File: "vigil.yaml", Line: 9, Column: 1}, Msg: "c9"},
		{Pos: Pos{File: "rules/a.yaml", Line: 5, Column: 2}, Msg: "a5"},
		{Pos: Pos{File: "rules/a.yaml", Line: 5, Column: 1}, Msg: "a5col1", err: fs.ErrNotExist},
		{Pos: Pos{File: "vigil.yaml", Line: 2, Column: 1}, Msg: "c2"},
	}
	sortErrors(errs, map[string]int{"vigil.yaml": 0, "rules/a.yaml": 1, "rules/b.yaml": 2})
	var got []string
	for _, e := range errs {
		got = append(got, e.Msg)
	}
	want := []string{"c2", "c9", "a5col1", "a5", "b1"}
	if len(got) != len(want) {
		t.Fatalf("sorted = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted = %q, want %q", got, want)
		}
	}
	list := Errors(errs)
	var err error = &list
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("errors.Is(Errors, fs.ErrNotExist) = false, want true")
	}
	var one Error
	if !errors.As(err, &one) || one.Msg != "c2" {
		t.Errorf("errors.As(Errors, *Error) = %v, want the first problem", one)
	}
}
