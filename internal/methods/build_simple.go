package methods

import (
	"errors"
	"fmt"
	"time"

	"vigil/config"
	"vigil/detector"
)

// This file builds the methods whose band does not come from a z
// threshold: threshold, change and freshness.

func buildThreshold(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d := m.Detect
	det, err := detector.NewThreshold(detector.Threshold{Lower: d.Lower, Upper: d.Upper, Guards: g})
	if err != nil {
		return nil, Description{}, err
	}
	var text string
	switch {
	case d.Lower != nil && d.Upper != nil:
		text = "between " + setting(*d.Lower) + " and " + setting(*d.Upper)
	case d.Lower != nil:
		text = "at least " + setting(*d.Lower)
	default:
		text = "at most " + setting(*d.Upper)
	}
	return det, Description{Text: "threshold (" + text + ")"}, nil
}

func buildChange(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d, gran := m.Detect, m.Granularity
	lag, err := buckets("offset", d.Offset, gran)
	if err != nil {
		return nil, Description{}, err
	}
	det, err := detector.NewChange(detector.Change{Offset: lag, Periods: d.Periods,
		Median: d.Aggregate == "median", Relative: d.Relative, Max: d.Max, Guards: g})
	if err != nil {
		return nil, Description{}, err
	}
	allowed := "±" + setting(d.Max)
	if d.Relative {
		allowed = "±" + percent(d.Max)
	}
	text := fmt.Sprintf("change (%s, %s)", changeText(d.Offset, det.Periods, det.Median), allowed)
	return det, Description{Text: text, History: time.Duration(det.Periods) * d.Offset}, nil
}

// changeText words what a change is measured against: "week over week",
// "median of the last 4 weeks", "against 6 hours before", "mean of the
// last 3 periods of 6 hours".
func changeText(offset time.Duration, periods int, median bool) string {
	unit := map[time.Duration]string{time.Hour: "hour", config.Day: "day", config.Week: "week"}[offset]
	agg := "mean"
	if median {
		agg = "median"
	}
	switch {
	case periods == 1 && unit != "":
		return unit + " over " + unit
	case periods == 1:
		return "against " + words(offset) + " before"
	case unit != "":
		return fmt.Sprintf("%s of the last %d %ss", agg, periods, unit)
	}
	return fmt.Sprintf("%s of the last %d periods of %s", agg, periods, words(offset))
}

func buildFreshness(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d, gran := m.Detect, m.Granularity
	if g.Direction == detector.Up {
		return nil, Description{}, errors.New("missing data is a drop; direction must be down or both")
	}
	window, err := buckets("window", d.Window, gran)
	if err != nil {
		return nil, Description{}, err
	}
	if d.MaxAge < 0 || d.MaxAge%gran != 0 {
		return nil, Description{}, fmt.Errorf("max_age %s is not a whole number of %s buckets", config.FormatDuration(d.MaxAge), config.FormatDuration(gran))
	}
	tolerance := int(d.MaxAge / gran)
	// Freshness judges presence: only direction and minimum volume apply.
	det, err := detector.NewFreshness(detector.Freshness{Window: window, Tolerance: tolerance,
		Guards: detector.Guards{Direction: g.Direction, MinVolume: g.MinVolume}})
	if err != nil {
		return nil, Description{}, err
	}
	text := "freshness (alerts on the first missing " + unitWord(gran) + ")"
	if tolerance > 0 {
		text = "freshness (alerts after " + words(d.MaxAge) + " without data)"
	}
	return det, Description{Text: text, History: d.Window + d.MaxAge}, nil
}
