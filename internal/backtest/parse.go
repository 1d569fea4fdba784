package backtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// zoned are the timestamp layouts that carry a zone, tried in order after a
// space between date and time has been turned into a T and a space before
// the zone removed.
var zoned = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04Z07",
}

// naive are the layouts without a zone; they are read as UTC.
var naive = []string{
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime reads a timestamp in ISO 8601 / RFC 3339 form, with or without
// a zone ("2024-03-01T14:00:00Z", "2024-03-01T14:00:00+01:00",
// "2024-03-01T14:00:00"), or as "2024-03-01 14:00:00" or "2024-03-01".
// Fractional seconds are allowed. A timestamp without a zone, or with the
// suffix " UTC", is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	var p timeParser
	return p.parse(s)
}

// timeParser parses timestamps, trying first the layout that read the
// previous one: the rows of one file share a layout, and failed attempts
// are what makes parsing slow.
type timeParser struct {
	layout string
	naive  bool
}

func (p *timeParser) parse(s string) (time.Time, error) {
	n := normalizeTime(s)
	t, ok := p.tryLast(n)
	if !ok {
		t, ok = p.search(n)
	}
	if !ok {
		return time.Time{}, fmt.Errorf("timestamp %q is not ISO 8601 (2024-03-01T14:00:00Z), \"2024-03-01 14:00:00\" or \"2024-03-01\"", s)
	}
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("timestamp %q: year %d is outside %d to %d", s, y, minYear, maxYear)
	}
	return t, nil
}

// minYear and maxYear bound timestamps to the range time.UnixNano handles.
const (
	minYear = 1700
	maxYear = 2200
)

func (p *timeParser) tryLast(n string) (time.Time, bool) {
	if p.layout == "" {
		return time.Time{}, false
	}
	if p.naive {
		t, err := time.ParseInLocation(p.layout, n, time.UTC)
		return t, err == nil
	}
	t, err := time.Parse(p.layout, n)
	return t, err == nil
}

func (p *timeParser) search(n string) (time.Time, bool) {
	for _, l := range zoned {
		if t, err := time.Parse(l, n); err == nil {
			p.layout, p.naive = l, false
			return t, true
		}
	}
	for _, l := range naive {
		if t, err := time.ParseInLocation(l, n, time.UTC); err == nil {
			p.layout, p.naive = l, true
			return t, true
		}
	}
	return time.Time{}, false
}

// normalizeTime trims s, joins date and time with a T and drops a space
// before the zone or a trailing " UTC", so that one set of layouts serves
// the spellings databases and spreadsheets export.
func normalizeTime(s string) string {
	s = strings.TrimSpace(s)
	if u, ok := strings.CutSuffix(s, " UTC"); ok {
		s = u + "Z"
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + strings.TrimLeft(s[11:], " ")
	}
	if i := strings.LastIndexAny(s, " "); i > 10 {
		s = s[:i] + s[i+1:]
	}
	return s
}

// ParseValue reads a value. Empty, "NaN", "null", "NA", "N/A" and "none"
// (in any case) mean missing and return NaN. Infinities are an error: no
// method can judge them.
func ParseValue(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "nan", "null", "na", "n/a", "none":
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q is not a number", s)
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not finite", s)
	}
	return v, nil
}
