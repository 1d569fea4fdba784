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
// always drawn. It is nil when fewer than two buckets have both values.
func nativeChart(a notifiers.Alert) slackgo.Block {
	pts, anomaly := chartPoints(a)
	if len(pts) < 2 {
		return nil
	}
	idx := downsample(actuals(pts), maxChartPoints, anomaly)
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

func actuals(pts []notifiers.HistoryPoint) []float64 {
	ys := make([]float64, len(pts))
	for i, p := range pts {
		ys[i] = p.Value
	}
	return ys
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

// downsample picks at most n of the len(ys) points by largest triangle
// three buckets, which keeps the shape of the line (its spikes and dips),
// always keeping the first and last points and the point keep.
func downsample(ys []float64, n, keep int) []int {
	if len(ys) <= n {
		idx := make([]int, len(ys))
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, 0, n)
	idx = append(idx, 0)
	size := float64(len(ys)-2) / float64(n-2)
	prev := 0
	for b := 0; b < n-2; b++ {
		lo, hi := int(float64(b)*size)+1, int(float64(b+1)*size)+1
		if keep >= lo && keep < hi {
			idx, prev = append(idx, keep), keep
			continue
		}
		nlo, nhi := hi, min(int(float64(b+2)*size)+1, len(ys))
		if b == n-3 {
			nlo, nhi = len(ys)-1, len(ys)
		}
		avgX, avgY := mean(nlo, nhi, ys)
		best, area := lo, -1.0
		for i := lo; i < hi; i++ {
			s := math.Abs((float64(prev)-avgX)*(ys[i]-ys[prev]) - (float64(prev)-float64(i))*(avgY-ys[prev]))
			if s > area {
				best, area = i, s
			}
		}
		idx, prev = append(idx, best), best
	}
	return append(idx, len(ys)-1)
}

// mean is the centre of the points [lo, hi).
func mean(lo, hi int, ys []float64) (float64, float64) {
	var sx, sy float64
	for i := lo; i < hi; i++ {
		sx += float64(i)
		sy += ys[i]
	}
	n := float64(hi - lo)
	return sx / n, sy / n
}

// categoryLabels are short, distinct labels for the chosen points: the
// shortest time format that tells them apart, within 20 characters.
func categoryLabels(pts []notifiers.HistoryPoint, idx []int, g time.Duration, l *time.Location) []string {
	layouts := []string{"15:04", "Mon 15:04", "2 Jan 15:04", "2 Jan 06 15:04"}
	if g >= 24*time.Hour {
		layouts = []string{"Mon 2 Jan", "2 Jan 2006"}
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
