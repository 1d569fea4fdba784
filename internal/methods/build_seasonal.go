package methods

import (
	"errors"
	"fmt"
	"time"

	"vigil/config"
	"vigil/detector"
)

// This file builds the methods that read a seasonality: seasonal, stl,
// holt_winters and cusum.

// recentDays is how many recent days correct a weekly baseline for the
// seasonality [daily, weekly]: the most the seasonal method takes, so that
// the correction is as steady as it can be and a change is followed only
// once it has lasted more than three days.
const recentDays = 6

// season returns the season of the metric's seasonality in buckets (0 for
// none) and its name: "daily", "weekly", or "none".
func season(m config.Metric) (int, error) {
	switch s := m.Detect.Seasonality; s {
	case config.SeasonalityNone:
		return 0, nil
	case config.SeasonalityDaily, config.SeasonalityWeekly:
		n, err := buckets(s+" season", config.Season(s, m.Granularity), m.Granularity)
		if err == nil && n < 2 {
			err = fmt.Errorf("%s seasonality at granularity %s is a single bucket", s, config.FormatDuration(m.Granularity))
		}
		return n, err
	case "":
		return 0, errors.New("seasonality is not set")
	default:
		return 0, fmt.Errorf("seasonality %q takes one season: daily, weekly or none", s)
	}
}

func buildSeasonal(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d, gran := m.Detect, m.Granularity
	if d.Seasonality == "" {
		return nil, Description{}, errors.New("seasonality is not set")
	}
	period := config.Season(d.Seasonality, gran)
	name := d.Seasonality
	switch {
	case period != config.Day && period != config.Week:
		return nil, Description{}, fmt.Errorf("seasonality %s at granularity %s has no past days or weeks to compare with", d.Seasonality, config.FormatDuration(gran))
	case d.Seasonality == config.SeasonalityNone && period == config.Day:
		name = config.SeasonalityDaily
	case d.Seasonality == config.SeasonalityNone:
		name = config.SeasonalityWeekly
	case d.Seasonality == config.SeasonalityDailyWeekly:
		name = fmt.Sprintf("weekly, corrected by the last %d days", recentDays)
	}
	if _, err := buckets("season", period, gran); err != nil {
		return nil, Description{}, err
	}
	seasons := int(d.History / period)
	if seasons < 3 || d.History%period != 0 {
		return nil, Description{}, fmt.Errorf("history %s is not a whole number of at least 3 %s seasons", config.FormatDuration(d.History), config.FormatDuration(period))
	}
	det := detector.Seasonal{Period: period, Seasons: seasons, Guards: g}
	text := fmt.Sprintf("seasonal (%s, %d seasons", name, seasons)
	if d.Seasonality == config.SeasonalityDailyWeekly {
		det.Daily = recentDays
	}
	switch d.LevelAdjust {
	case config.LevelNone:
		det.Level = detector.LevelNone
		text += ", no level adjustment"
	case config.LevelRatio:
		det.Level = detector.LevelScale
		text += ", level-adjusted by ratio"
	case config.LevelDifference:
		det.Level = detector.LevelShift
		text += ", level-adjusted by difference"
	}
	// The detector says how far back it reads: its past slots, the weeks of
	// its own prediction errors that scale the band, and the growth before.
	history := max(d.History, det.History(gran))
	return det, Description{Text: text + ")" + sensitivityText(d), Sensitivity: sensitivity(d), History: history}, nil
}

func buildSTL(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d, gran := m.Detect, m.Granularity
	var period int
	var err error
	name := d.Seasonality
	if d.Period > 0 {
		period, err = buckets("period", d.Period, gran)
		name = "period " + config.FormatDuration(d.Period)
	} else {
		period, err = season(m)
	}
	if err != nil {
		return nil, Description{}, err
	}
	robust := 0 // one robustness iteration, the detector's default
	if !d.Robust {
		robust = -1
	}
	det, err := detector.NewSTL(detector.STL{Period: period, Seasons: d.Seasons, Robust: robust, Guards: g})
	if err != nil {
		return nil, Description{}, err
	}
	text := fmt.Sprintf("STL (%s, %d seasons", name, det.Seasons)
	if d.Robust {
		text += ", robust"
	}
	// A block of Refit buckets is forecast from the seasons before its
	// start, which may lie up to Refit−1 buckets before the judged one.
	history := time.Duration(det.Seasons*det.Period+det.Refit) * gran
	return det, Description{Text: text + ")" + sensitivityText(d), Sensitivity: sensitivity(d), History: history}, nil
}

func buildHoltWinters(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d, gran := m.Detect, m.Granularity
	period, err := season(m)
	if err != nil {
		return nil, Description{}, err
	}
	det, err := detector.NewHoltWinters(detector.HoltWinters{Period: period, Multiplicative: d.Multiplicative,
		Alpha: d.Alpha, Beta: d.Beta, Gamma: d.Gamma, Guards: g})
	if err != nil {
		return nil, Description{}, err
	}
	parts := []string{d.Seasonality}
	if period == 0 {
		parts[0] = "no season"
	}
	if d.Multiplicative {
		parts = append(parts, "multiplicative")
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"alpha", d.Alpha}, {"beta", d.Beta}, {"gamma", d.Gamma}} {
		if p.v > 0 {
			parts = append(parts, fmt.Sprintf("%s %g", p.name, p.v))
		}
	}
	// A fit reads the Window buckets before its block, which starts up to
	// Refit−1 buckets before the judged one.
	history := time.Duration(det.Window+det.Refit) * gran
	return det, Description{Text: "Holt-Winters (" + join(parts) + ")" + sensitivityText(d), Sensitivity: sensitivity(d), History: history}, nil
}

func buildCUSUM(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d, gran := m.Detect, m.Granularity
	period, err := season(m)
	if err != nil {
		return nil, Description{}, err
	}
	window, err := buckets("window", d.Window, gran)
	if err != nil {
		return nil, Description{}, err
	}
	det, err := detector.NewCUSUM(detector.CUSUM{Period: period, Window: window, K: d.K, H: d.H, Guards: g})
	if err != nil {
		return nil, Description{}, err
	}
	name := d.Seasonality
	if period == 0 {
		name = "no season"
	}
	text := fmt.Sprintf("CUSUM (%s, window %s", name, config.FormatDuration(d.Window))
	if d.K > 0 && d.K != 0.5 {
		text += fmt.Sprintf(", k %g", d.K)
	}
	if d.H > 0 {
		text += fmt.Sprintf(", h %g", d.H)
	}
	// The statistics run from the start of the series: a window to learn
	// the baseline and a window to run on.
	return det, Description{Text: text + ")" + sensitivityText(d), Sensitivity: sensitivity(d), History: 2 * d.Window}, nil
}
