package slack

import (
	"math"
	"strconv"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// nativeChart is a line chart of actual against expected over the alert's
// history, downsampled to Slack's 20 points with the alert's own bucket
// always drawn (see downsample). It is nil when fewer than two buckets have both values.
func nativeChart(a notifiers.Alert) slackgo.Block {
	pts, anomaly := chartPoints(a)
	if len(pts) < 2 {
		return nil
	}
	idx := downsample(deviations(pts), maxChartPoints, anomaly)
	labels := categoryLabels(pts, idx, a.Granularity, loc(a.Location))
	scale := 1.0
	if a.Unit == "%" {
		scale = 100 // a ratio's fraction reads as a percentage
	}
	actual := slackgo.NewDataVisualizationDataSeries("Actual")
	expected := slackgo.NewDataVisualizationDataSeries("Expected")
	for k, i := range idx {
		actual.Data = append(actual.Data, slackgo.NewDataVisualizationDataPoint(labels[k], round(pts[i].Value*scale)))
		expected.Data = append(expected.Data, slackgo.NewDataVisualizationDataPoint(labels[k], round(pts[i].Expected*scale)))
	}
	axis := slackgo.NewDataVisualizationAxisConfig(labels...).
		WithXLabel(truncate("Time ("+zoneName(a.Time, loc(a.Location))+")", maxChartAxis)).
		WithYLabel(yLabel(a))
	name := title(a.Rule, a.Description)
	const suffix = ": actual vs expected"
	chartTitle := truncate(name, maxChartTitle-runeLen(suffix)) + suffix
	return slackgo.NewDataVisualizationBlock(chartTitle, slackgo.NewDataVisualizationLineChart(axis, actual, expected))
}

// chartPoints are the History points with both values, and the index among
// them of the alert's own bucket (the last one when it has none).
func chartPoints(a notifiers.Alert) ([]notifiers.HistoryPoint, int) {
	var pts []notifiers.HistoryPoint
	anomaly := -1
	for _, p := range a.History {
		if !finite(p.Value) || !finite(p.Expected) {
			continue
		}
		if p.Time.Equal(a.Time) {
			anomaly = len(pts)
		}
		pts = append(pts, p)
	}
	if anomaly < 0 {
		anomaly = len(pts) - 1
	}
	return pts, anomaly
}

// deviations are the points' distances from expected.
func deviations(pts []notifiers.HistoryPoint) []float64 {
	ds := make([]float64, len(pts))
	for i, p := range pts {
		ds[i] = p.Value - p.Expected
	}
	return ds
}

// yLabel names the value axis after the metric and its unit.
func yLabel(a notifiers.Alert) string {
	name := title(a.Rule, a.Description)
	if a.Unit == "" {
		return truncate(name, maxChartAxis)
	}
	suffix := " (" + a.Unit + ")"
	return truncate(name, maxChartAxis-runeLen(suffix)) + suffix
}

// round keeps six significant digits, enough for a chart and short in JSON.
func round(x float64) float64 {
	if x == 0 || !finite(x) {
		return x
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
	return f
}

// downsample picks at most n of the points whose deviations from expected
// are dev. It splits them into n windows of equal length and keeps from
// each the point farthest from expected, so that spikes and dips survive
// while the time axis stays regular; the window holding keep keeps keep,
// and the last window keeps the latest point.
func downsample(dev []float64, n, keep int) []int {
	idx := make([]int, 0, min(n, len(dev)))
	if len(dev) <= n {
		for i := range dev {
			idx = append(idx, i)
		}
		return idx
	}
	for w := range n {
		lo, hi := w*len(dev)/n, (w+1)*len(dev)/n
		switch {
		case keep >= lo && keep < hi:
			idx = append(idx, keep)
		case w == n-1:
			idx = append(idx, len(dev)-1)
		default:
			best := lo
			for i := lo + 1; i < hi; i++ {
				if math.Abs(dev[i]) > math.Abs(dev[best]) {
					best = i
				}
			}
			idx = append(idx, best)
		}
	}
	return idx
}

// categoryLabels are short, distinct labels for the chosen points: the
// shortest time format that is unambiguous over the span they cover,
// within 20 characters.
func categoryLabels(pts []notifiers.HistoryPoint, idx []int, g time.Duration, l *time.Location) []string {
	const day, year = 24 * time.Hour, 365 * 24 * time.Hour
	span := pts[idx[len(idx)-1]].Time.Sub(pts[idx[0]].Time)
	layouts := []string{"15:04", "Mon 15:04", "2 Jan 15:04", "2 Jan 06 15:04"}
	switch {
	case g >= day && span < year:
		layouts = []string{"Mon 2 Jan", "2 Jan 2006"}
	case g >= day:
		layouts = []string{"2 Jan 2006"}
	case span >= year:
		layouts = layouts[3:]
	case span >= 7*day:
		layouts = layouts[2:]
	case span >= day:
		layouts = layouts[1:]
	}
	for _, layout := range layouts {
		if labels, ok := tryLabels(pts, idx, l, layout); ok {
			return labels
		}
	}
	labels := make([]string, len(idx))
	for k, i := range idx {
		labels[k] = truncate(strconv.Itoa(k+1)+" "+pts[i].Time.In(l).Format("2006-01-02 15:04"), maxChartLabel)
	}
	return labels
}

func tryLabels(pts []notifiers.HistoryPoint, idx []int, l *time.Location, layout string) ([]string, bool) {
	seen := map[string]bool{}
	labels := make([]string, len(idx))
	for k, i := range idx {
		s := pts[i].Time.In(l).Format(layout)
		if seen[s] || runeLen(s) > maxChartLabel {
			return nil, false
		}
		seen[s], labels[k] = true, s
	}
	return labels, true
}
