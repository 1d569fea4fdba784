package ruletest

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		in      string
		want    []float64
		wantErr string
	}{
		{"plain", "1 2 3", []float64{1, 2, 3}, ""},
		{"brief example", "100+10x5 200 _ 150", []float64{100, 110, 120, 130, 140, 150, 200, nan, 150}, ""},
		{"repeat", "7x2", []float64{7, 7, 7}, ""},
		{"zero repeats", "7x0", []float64{7}, ""},
		{"down", "100-10x2", []float64{100, 90, 80}, ""},
		{"negative start", "-5+2x2", []float64{-5, -3, -1}, ""},
		{"exponent", "1e3 2.5e-1", []float64{1000, 0.25}, ""},
		{"missing run", "_x3 1", []float64{nan, nan, nan, 1}, ""},
		{"empty", "  ", nil, ""},
		{"bad number", "1 two", nil, `values "two": want a finite number`},
		{"bad count", "1x-2", nil, "whole number of repeats"},
		{"step without count", "1+2", nil, "a step needs a count"},
		{"nan refused", "NaN", nil, "finite number"},
		{"huge", "1x99999999", nil, "whole number of repeats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseValues(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseValues(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseValues(%q): %v", tt.in, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ParseValues(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"1 2 3", "100+10x5 200 _ 150", "_x3", "-1e3-2x4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseValues(s)
		if err != nil {
			return
		}
		for _, v := range got {
			if math.IsInf(v, 0) {
				t.Fatalf("ParseValues(%q) gave an infinite value", s)
			}
		}
	})
}
