// Package humanize formats numbers, changes and durations the way a business
// reader expects them in an alert: "4,400", "27%", "1.2M", "−1,190".
// It has no dependencies beyond the standard library, so every package may
// use it.
package humanize

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Number formats x with three significant digits at most, thousands
// separators, and K/M/B suffixes from ten million up: 3210 → "3,210",
// 4412.7 → "4,413", 0.01234 → "0.0123", 12345678 → "12.3M". NaN is "n/a".
func Number(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	neg := x < 0
	a := math.Abs(x)
	var s string
	switch {
	case a >= 1e12:
		s = trim(strconv.FormatFloat(a/1e12, 'f', 1, 64)) + "T"
	case a >= 1e9:
		s = trim(strconv.FormatFloat(a/1e9, 'f', 1, 64)) + "B"
	case a >= 1e7:
		s = trim(strconv.FormatFloat(a/1e6, 'f', 1, 64)) + "M"
	case a >= 100:
		s = group(strconv.FormatFloat(math.Round(a), 'f', 0, 64))
	case a == 0:
		s = "0"
	default:
		// three significant digits for small numbers
		digits := 2 - int(math.Floor(math.Log10(a)))
		if digits < 0 {
			digits = 0
		}
		s = trim(strconv.FormatFloat(a, 'f', digits, 64))
	}
	if neg && s != "0" {
		return "−" + s
	}
	return s
}

// Signed formats x like Number with an explicit sign: "+1,190", "−1,190".
func Signed(x float64) string {
	if x > 0 {
		return "+" + Number(x)
	}
	return Number(x)
}

// Percent formats a fraction as a rounded percentage: 0.2705 → "27%",
// 0.0123 → "1.2%", 0.0004 → "0.04%".
func Percent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "n/a"
	}
	p := math.Abs(f * 100)
	var s string
	switch {
	case p >= 10:
		s = strconv.FormatFloat(math.Round(p), 'f', 0, 64)
	case p >= 1:
		s = trim(strconv.FormatFloat(p, 'f', 1, 64))
	case p == 0:
		s = "0"
	default:
		s = trim(strconv.FormatFloat(p, 'g', 1, 64))
	}
	if f < 0 && s != "0" {
		s = "−" + s
	}
	return s + "%"
}

// Duration formats d in the largest whole unit that fits it well: "90s",
// "15m", "2h", "1d", "8w", or "1h30m" when it is not a whole unit.
func Duration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d%week == 0:
		return strconv.FormatInt(int64(d/week), 10) + "w"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0 && d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	s := d.String() // e.g. "1h30m0s", "26h0m5s", "1.5s"
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Span formats a length of time roughly, for people: "5h", "3 days",
// "2.9 weeks", rounded to the hour below two days, to the day below three
// weeks, and to a tenth of a week above.
func Span(d time.Duration) string {
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d < 2*day:
		return Duration(max(d.Round(time.Hour), time.Hour))
	case d < 3*week:
		return strconv.FormatInt(int64(d.Round(day)/day), 10) + " days"
	}
	return trim(strconv.FormatFloat(float64(d)/float64(week), 'f', 1, 64)) + " weeks"
}

// currencies are units written before the number.
var currencies = map[string]bool{"$": true, "€": true, "£": true, "¥": true, "R$": true}

// Value formats x in its unit: "4,400", "$4,400", "−$12", "120 ms", and
// for the unit "%" a fraction as a percentage, 0.0321 as "3.21%" (a ratio
// metric's value is a fraction).
func Value(x float64, unit string) string {
	switch {
	case unit == "%":
		return Number(x*100) + "%"
	case currencies[unit]:
		n := Number(x)
		if s, ok := strings.CutPrefix(n, "−"); ok {
			return "−" + unit + s
		}
		return unit + n
	case unit != "":
		return Number(x) + " " + unit
	}
	return Number(x)
}

// Delta formats a change of a value in its unit with an explicit sign:
// "+$1,190", "−1,190"; a fraction shown as a percentage moves in
// percentage points, "−0.33 pp".
func Delta(x float64, unit string) string {
	switch {
	case unit == "%":
		return Signed(x*100) + " pp"
	case x > 0:
		return "+" + Value(x, unit)
	}
	return Value(x, unit)
}

func trim(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func group(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
