package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		err  string // substring of the error; "" for none
	}{
		{"seconds", "90s", 90 * time.Second, ""},
		{"minutes", "15m", 15 * time.Minute, ""},
		{"hour", "1h", time.Hour, ""},
		{"day", "1d", 24 * time.Hour, ""},
		{"weeks", "8w", 8 * 7 * 24 * time.Hour, ""},
		{"compound", "1h30m", 90 * time.Minute, ""},
		{"all units", "1w2d3h4m5s6ms", Week + 2*Day + 3*time.Hour + 4*time.Minute + 5*time.Second + 6*time.Millisecond, ""},
		{"milliseconds", "250ms", 250 * time.Millisecond, ""},
		{"zero", "0", 0, ""},
		{"zero with unit", "0s", 0, ""},
		{"leading zeros", "007m", 7 * time.Minute, ""},
		{"empty", "", 0, "empty duration"},
		{"no unit", "90", 0, `missing unit in "90"`},
		{"trailing number", "1h30", 0, `missing unit in "1h30"`},
		{"fraction", "1.5h", 0, "whole numbers"},
		{"negative", "-1h", 0, "must not be negative"},
		{"unknown unit", "3y", 0, `unknown unit "y"`},
		{"microseconds", "5us", 0, `unknown unit "us"`},
		{"out of order", "30m1h", 0, "out of order"},
		{"repeated unit", "1h1h", 0, "out of order"},
		{"space", "1 h", 0, "invalid duration"},
		{"upper case", "1H", 0, "invalid duration"},
		{"unit only", "h", 0, "invalid duration"},
		{"overflow", "99999999999999w", 0, "too large"},
		{"overflow by sum", "15250w1000000h", 0, "too large"},
		{"huge number", "99999999999999999999999s", 0, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("ParseDuration(%q) error %v", tt.in, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
			case got != tt.want:
				t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"zero", 0, "0s"},
		{"weeks", 8 * Week, "8w"},
		{"week and day", 8 * Day, "1w1d"},
		{"hour and a half", 90 * time.Minute, "1h30m"},
		{"seconds", 90 * time.Second, "1m30s"},
		{"milliseconds", 1500 * time.Millisecond, "1s500ms"},
		{"below a millisecond", time.Microsecond, "0s"},
		{"negative", -time.Hour, "-1h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDuration(tt.in); got != tt.want {
				t.Errorf("FormatDuration(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "1h30m", "8w", "0", "1.5h", "-1h", "1w2d3h4m5s6ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		// What parses formats back to the same duration.
		back, err := ParseDuration(FormatDuration(d))
		if err != nil || back != d {
			t.Fatalf("ParseDuration(FormatDuration(%v)) = %v, %v", d, back, err)
		}
	})
}
