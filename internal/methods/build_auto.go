package methods

import (
	"time"

	"vigil/config"
	"vigil/detector"
)

func buildAuto(m config.Metric, g detector.Guards) (detector.Detector, Description, error) {
	d := m.Detect
	if _, err := buckets("history", d.History, m.Granularity); err != nil {
		return nil, Description{}, err
	}
	det := detector.Auto{Build: autoBuilder(m.Granularity, d.History), Guards: g}
	text := "auto (method chosen from " + words(d.History) + " of data)"
	return det, Description{Text: text + sensitivityText(d), Sensitivity: sensitivity(d), History: d.History}, nil
}

// autoBuilder builds every method Choose may pick: the seasonal baseline
// over as many seasons as the history holds (3 to 64), CUSUM with the
// chosen season, and STL and Holt-Winters with their defaults.
func autoBuilder(step, history time.Duration) detector.Builder {
	return func(c detector.Choice, g detector.Guards) (detector.Detector, error) {
		switch c.Method {
		case config.MethodSeasonal:
			period := time.Duration(c.Period) * step
			seasons := 0
			if period > 0 {
				seasons = min(max(int(history/period), 3), 64)
			}
			return detector.Seasonal{Period: period, Seasons: seasons, Guards: g}, nil
		case config.MethodCUSUM:
			return detector.NewCUSUM(detector.CUSUM{Period: c.Period, Guards: g})
		}
		return detector.AutoBuild(c, g)
	}
}
