package config

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file decodes the detect: mapping, which has a few values of more
// than one form: a seasonality or a list of them, an offset as a duration or
// a bucket count, fractions written as percentages, and a list of mute
// windows.

func detectFields(d *Detect) fields {
	return fields{
		"method":         str(&d.Method),
		"seasonality":    seasonality(&d.Seasonality),
		"history":        duration(&d.History),
		"level_adjust":   levelAdjust(&d.LevelAdjust),
		"lower":          optNumber(&d.Lower),
		"upper":          optNumber(&d.Upper),
		"offset":         offset(d),
		"periods":        integer(&d.Periods),
		"aggregate":      str(&d.Aggregate),
		"relative":       boolean(&d.Relative),
		"max":            fraction(&d.Max, &d.maxPercent),
		"period":         duration(&d.Period),
		"seasons":        integer(&d.Seasons),
		"robust":         boolean(&d.Robust),
		"multiplicative": boolean(&d.Multiplicative),
		"alpha":          number(&d.Alpha),
		"beta":           number(&d.Beta),
		"gamma":          number(&d.Gamma),
		"window":         duration(&d.Window),
		"k":              number(&d.K),
		"h":              number(&d.H),
		"max_age":        duration(&d.MaxAge),
		"sensitivity":    str(&d.Sensitivity),
		"threshold":      number(&d.Threshold),
		"direction":      str(&d.Direction),
		"min_delta":      number(&d.MinDelta),
		"min_rel_delta":  fraction(&d.MinRelDelta, nil),
		"min_volume":     number(&d.MinVolume),
		"consecutive":    integer(&d.Consecutive),
		"mute":           muteList(&d.Mute),
		"holidays":       stringList(&d.Holidays),
		"missing":        str(&d.Missing),
		"exclude":        nested(excludeFields(&d.Exclude)),
	}
}

func excludeFields(e *Exclude) fields {
	return fields{
		"incidents": boolean(&e.Incidents),
		"feedback":  boolean(&e.Feedback),
		"mutes":     boolean(&e.Mutes),
		"holidays":  boolean(&e.Holidays),
	}
}

// levelAdjust decodes auto, none, ratio or difference, and the booleans
// true (ratio) and false (none). The words are checked later, with the
// other enumerations.
func levelAdjust(dst *string) field {
	return func(s *scope, key string, n *yaml.Node) {
		v, ok := s.text(key, n, "auto, none, ratio or difference", false)
		switch {
		case !ok:
		case strings.EqualFold(v, "true"):
			*dst = LevelRatio
		case strings.EqualFold(v, "false"):
			*dst = LevelNone
		default:
			*dst = v
		}
	}
}

// seasonality decodes daily, weekly or none, or the list [daily, weekly]
// (in either order), which is stored as "daily+weekly". A single value is
// checked later, with the other enumerations.
func seasonality(dst *string) field {
	return func(s *scope, key string, n *yaml.Node) {
		r := s.d.resolve(n)
		if r == nil {
			s.bad[key] = true
			return
		}
		if r.Kind != yaml.SequenceNode {
			str(dst)(s, key, n)
			return
		}
		var got []string
		for _, item := range r.Content {
			v, ok := s.text(key, item, "daily or weekly", false)
			if !ok {
				return
			}
			got = append(got, v)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{SeasonalityDaily, SeasonalityWeekly}) {
			s.fail(key, n, "a list of seasonalities must be [daily, weekly] (a weekly baseline corrected by the last days), got [%s]", strings.Join(got, ", "))
			return
		}
		*dst = SeasonalityDailyWeekly
	}
}

// offset decodes change's offset: a duration (1d, 1w) or a whole number of
// buckets (24).
func offset(d *Detect) field {
	return func(s *scope, key string, n *yaml.Node) {
		v, ok := s.text(key, n, "a duration such as 1d or 1w, or a number of buckets", false)
		if !ok {
			return
		}
		if v != "" && strings.Trim(v, "0123456789") == "" {
			b, err := strconv.Atoi(v)
			if err != nil || b > math.MaxInt32 {
				s.fail(key, n, "offset of %s buckets is too large", v)
				return
			}
			d.offsetBuckets, d.Offset = b, 0
			return
		}
		dur, err := ParseDuration(v)
		if err != nil {
			s.fail(key, n, "want a duration such as 1d or 1w, or a number of buckets: %v", err)
			return
		}
		d.Offset, d.offsetBuckets = dur, 0
	}
}

// fraction decodes a number, or a percentage such as "5%" as 0.05. pct,
// when not nil, records whether a percentage was written.
func fraction(dst *float64, pct *bool) field {
	return func(s *scope, key string, n *yaml.Node) {
		v, ok := s.text(key, n, `a number or a percentage such as "5%"`, false)
		if !ok {
			return
		}
		p := strings.HasSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "%")), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			s.fail(key, n, `want a finite number or a percentage such as "5%%", got %q`, v)
			return
		}
		if p {
			f /= 100
		}
		*dst = f
		if pct != nil {
			*pct = p
		}
	}
}

// optNumber decodes a number that may be absent.
func optNumber(dst **float64) field {
	return func(s *scope, key string, n *yaml.Node) {
		var f float64
		number(&f)(s, key, n)
		if s.has(key) {
			*dst = &f
		}
	}
}

// muteList decodes a list of {schedule, duration} windows; each item's
// keys are located as key[i].schedule.
func muteList(dst *[]Mute) field {
	return func(s *scope, key string, n *yaml.Node) {
		var out []Mute
		if !s.items(key, n, `a list of windows such as [{schedule: "0 2 * * *", duration: 1h}]`, func(i int, k string, item *yaml.Node) {
			out = append(out, Mute{})
			s.fields(item, k, fields{
				"schedule": str(&out[i].Schedule),
				"duration": duration(&out[i].Duration),
			})
		}) {
			return
		}
		*dst = append(make([]Mute, 0, len(out)), out...)
	}
}
