package console

import (
	"math"
	"testing"
	"time"
)

func TestValue(t *testing.T) {
	tests := []struct {
		name string
		x    float64
		unit string
		want string
	}{
		{name: "plain", x: 4412.7, want: "4,413"},
		{name: "dollars", x: 18250.5, unit: "$", want: "$18,251"},
		{name: "negative dollars", x: -1190, unit: "$", want: "−$1,190"},
		{name: "reais", x: 27.5, unit: "R$", want: "R$27.5"},
		{name: "fraction as percent", x: 0.0321, unit: "%", want: "3.21%"},
		{name: "whole percent", x: 0.5, unit: "%", want: "50%"},
		{name: "suffix unit", x: 1250, unit: "ms", want: "1,250 ms"},
		{name: "NaN", x: math.NaN(), want: "n/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := value(tt.x, tt.unit); got != tt.want {
				t.Errorf("value(%v, %q) = %q, want %q", tt.x, tt.unit, got, tt.want)
			}
		})
	}
}

func TestBand(t *testing.T) {
	tests := []struct {
		name         string
		lower, upper float64
		want         string
	}{
		{name: "both", lower: 3900, upper: 4900, want: "3,900 to 4,900"},
		{name: "upper only", lower: math.Inf(-1), upper: 1000, want: "up to 1,000"},
		{name: "lower only", lower: 10, upper: math.NaN(), want: "from 10"},
		{name: "none", lower: math.NaN(), upper: math.Inf(1), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := band(tt.lower, tt.upper, ""); got != tt.want {
				t.Errorf("band(%v, %v) = %q, want %q", tt.lower, tt.upper, got, tt.want)
			}
		})
	}
}

func TestWhen(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		g    time.Duration
		loc  *time.Location
		want string
	}{
		{name: "hour", g: time.Hour, want: "Mon 2 Mar 2026 23:00–00:00 UTC"},
		{name: "hour in the rule's zone", g: time.Hour, loc: sp, want: "Mon 2 Mar 2026 20:00–21:00 America/Sao_Paulo"},
		{name: "over midnight", g: 2 * time.Hour, want: "Mon 2 Mar 2026 23:00 – Tue 3 Mar 01:00 UTC"},
		{name: "day", g: 24 * time.Hour, loc: sp, want: "Mon 2 Mar 2026 America/Sao_Paulo"},
		{name: "week", g: 7 * 24 * time.Hour, want: "Mon 2 Mar – Sun 8 Mar 2026 UTC"},
		{name: "no granularity", want: "Mon 2 Mar 2026 23:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := when(at, tt.g, tt.loc); got != tt.want {
				t.Errorf("when(%v, %v, %v) = %q, want %q", at, tt.g, tt.loc, got, tt.want)
			}
		})
	}
}
