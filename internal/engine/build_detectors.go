package engine

import (
	"fmt"
	"time"

	"vigil/config"
	"vigil/detector"
	"vigil/internal/humanize"
)

// periods maps a seasonality to its period.
var periods = map[string]time.Duration{
	"daily":  24 * time.Hour,
	"weekly": 7 * 24 * time.Hour,
}

// buildDetector returns the detector of a metric's detect settings and its
// description for people, such as "seasonal (weekly, 8 seasons)".
func buildDetector(d config.Detect) (detector.Detector, string, error) {
	g, err := guards(d)
	if err != nil {
		return nil, "", err
	}
	switch d.Method {
	case "seasonal":
		period, ok := periods[d.Seasonality]
		if !ok {
			return nil, "", fmt.Errorf("seasonality %q: want daily or weekly", d.Seasonality)
		}
		seasons := int(d.History / period)
		if seasons < 2 {
			return nil, "", fmt.Errorf("history %s: need at least 2 %s seasons (%s)",
				humanize.Duration(d.History), d.Seasonality, humanize.Duration(2*period))
		}
		det := detector.Seasonal{Period: period, Seasons: seasons, Guards: g}
		return det, fmt.Sprintf("seasonal (%s, %d seasons)", d.Seasonality, seasons), nil
	}
	return nil, "", fmt.Errorf("method %q: want seasonal", d.Method)
}

// guards turns the shared detect settings into detector guards.
func guards(d config.Detect) (detector.Guards, error) {
	dir, err := detector.ParseDirection(d.Direction)
	if err != nil {
		return detector.Guards{}, err
	}
	t := d.Threshold
	if t <= 0 {
		if t, err = detector.ParseSensitivity(d.Sensitivity); err != nil {
			return detector.Guards{}, err
		}
	}
	return detector.Guards{Direction: dir, Threshold: t, MinDelta: d.MinDelta, MinVolume: d.MinVolume}, nil
}

// consecutive returns how many anomalous buckets in a row open an incident.
// The detect settings do not say yet (no method here counts consecutive
// breaches), so the first breach fires; when config gains a consecutive
// setting, return it here.
func consecutive(config.Detect) int { return 1 }
