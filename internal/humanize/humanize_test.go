package humanize

import (
	"math"
	"testing"
	"time"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {3210, "3,210"}, {4412.7, "4,413"}, {-1190, "−1,190"}, {0.01234, "0.0123"},
		{12345678, "12.3M"}, {2.5e9, "2.5B"}, {1.2e13, "12T"}, {99.5, "99.5"}, {1, "1"},
		{math.NaN(), "n/a"}, {math.Inf(1), "∞"}, {1234567, "1,234,567"},
	}
	for _, tt := range tests {
		if got := Number(tt.in); got != tt.want {
			t.Errorf("Number(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0.2705, "27%"}, {-0.2705, "−27%"}, {0.0123, "1.2%"}, {0.0004, "0.04%"}, {0, "0%"}, {math.NaN(), "n/a"},
	}
	for _, tt := range tests {
		if got := Percent(tt.in); got != tt.want {
			t.Errorf("Percent(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{90 * time.Second, "1m30s"}, {30 * time.Second, "30s"}, {15 * time.Minute, "15m"},
		{2 * time.Hour, "2h"}, {24 * time.Hour, "1d"}, {8 * 7 * 24 * time.Hour, "8w"},
		{90 * time.Minute, "1h30m"}, {26*time.Hour + 5*time.Second, "26h0m5s"}, {0, "0s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSpan(t *testing.T) {
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	tests := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Minute, "1h"},
		{5*time.Hour + 20*time.Minute, "5h"},
		{47 * time.Hour, "47h"},
		{2 * day, "2 days"},
		{478 * time.Hour, "20 days"},
		{3 * week, "3 weeks"},
		{2230 * time.Hour, "13.3 weeks"},
		{8 * week, "8 weeks"},
	}
	for _, tt := range tests {
		if got := Span(tt.d); got != tt.want {
			t.Errorf("Span(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestValueAndDelta(t *testing.T) {
	tests := []struct {
		x           float64
		unit        string
		value, diff string
	}{
		{4400, "", "4,400", "+4,400"},
		{-1190, "$", "−$1,190", "−$1,190"},
		{1190, "R$", "R$1,190", "+R$1,190"},
		{120, "ms", "120 ms", "+120 ms"},
		{0.0321, "%", "3.21%", "+3.21 pp"},
		{-0.0033, "%", "−0.33%", "−0.33 pp"},
	}
	for _, tt := range tests {
		if got := Value(tt.x, tt.unit); got != tt.value {
			t.Errorf("Value(%g, %q) = %q, want %q", tt.x, tt.unit, got, tt.value)
		}
		if got := Delta(tt.x, tt.unit); got != tt.diff {
			t.Errorf("Delta(%g, %q) = %q, want %q", tt.x, tt.unit, got, tt.diff)
		}
	}
}
