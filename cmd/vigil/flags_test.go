package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

// TestParseInterspersed checks that flags may follow other arguments, and
// that "--" ends the flags.
func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		junit string
		rest  []string
	}{
		{"flags first", []string{"--junit", "j.xml", "rules/", "a_test.yaml"}, "j.xml", []string{"rules/", "a_test.yaml"}},
		{"flags after", []string{"rules/", "--junit", "j.xml"}, "j.xml", []string{"rules/"}},
		{"flags between", []string{"a_test.yaml", "--junit=j.xml", "b_test.yaml"}, "j.xml", []string{"a_test.yaml", "b_test.yaml"}},
		{"after --", []string{"rules/", "--", "--junit", "x"}, "", []string{"rules/", "--junit", "x"}},
		{"no arguments", []string{"--junit", "j.xml"}, "j.xml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("vigil test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			junit := fs.String("junit", "", "")
			if code, ok := parse(fs, tt.args, io.Discard, func(io.Writer) {}); !ok {
				t.Fatalf("parse(%q) stopped with %d", tt.args, code)
			}
			if *junit != tt.junit || !slices.Equal(fs.Args(), tt.rest) && len(fs.Args())+len(tt.rest) > 0 {
				t.Errorf("parse(%q): junit %q, args %q; want %q, %q", tt.args, *junit, fs.Args(), tt.junit, tt.rest)
			}
		})
	}
}
