package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"

	slackgo "github.com/slack-go/slack"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"vigil/notifiers"
)

// Colours of the PNG chart.
var (
	actualColor   = color.RGBA{R: 0x1d, G: 0x4e, B: 0x89, A: 0xff}
	expectedColor = color.RGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff}
	bandColor     = color.RGBA{R: 0xdd, G: 0xe6, B: 0xf0, A: 0xff}
	anomalyColor  = color.RGBA{R: 0xd0, G: 0x21, B: 0x2b, A: 0xff}
)

// attachChart uploads the PNG chart into the incident's thread when the
// chart mode is image. A failed upload is logged: the alert is delivered.
func (n *Notifier) attachChart(ctx context.Context, a notifiers.Alert, channel, ts string) {
	if n.render.chart != ChartImage {
		return
	}
	png, err := drawChart(a)
	if err != nil {
		n.log.Warn("no chart image", "incident", a.ID, "err", err)
		return
	}
	name := title(a.Rule, a.Description)
	err = n.call(ctx, "files.upload", func(ctx context.Context) error {
		_, err := n.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
			Reader: bytes.NewReader(png), FileSize: len(png), Filename: "vigil-chart.png",
			Title: truncate(name+": actual vs expected", 250), AltTxt: truncate(headline(a), 1000),
			Channel: channel, ThreadTimestamp: ts,
		})
		return err
	})
	if err != nil {
		n.log.Warn("chart upload failed", "incident", a.ID, "err", n.redact(err))
	}
}

// errNoPoints is drawChart's error for a history with nothing to draw.
var errNoPoints = errors.New("fewer than two buckets with an actual and an expected value")

// drawChart draws actual against expected over the alert's history as a
// PNG: the normal band shaded, the alert's bucket marked.
func drawChart(a notifiers.Alert) ([]byte, error) {
	pts, anomaly := chartPoints(a)
	if len(pts) < 2 {
		return nil, errNoPoints
	}
	p := plot.New()
	p.Title.Text = truncate(headline(a), 80)
	p.Y.Label.Text = yLabel(a)
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2 15:04", Time: plot.UnixTimeIn(loc(a.Location))}
	scale := 1.0
	if a.Unit == "%" {
		scale = 100
	}
	act, exp := make(plotter.XYs, len(pts)), make(plotter.XYs, len(pts))
	for i, h := range pts {
		x := float64(h.Time.Unix())
		act[i] = plotter.XY{X: x, Y: h.Value * scale}
		exp[i] = plotter.XY{X: x, Y: h.Expected * scale}
	}
	if band := bandPolygon(pts, scale); band != nil {
		p.Add(band)
	}
	lines := []struct {
		xys   plotter.XYs
		c     color.Color
		dash  bool
		label string
	}{{exp, expectedColor, true, "Expected"}, {act, actualColor, false, "Actual"}}
	for _, l := range lines {
		line, err := plotter.NewLine(l.xys)
		if err != nil {
			return nil, fmt.Errorf("chart line: %w", err)
		}
		line.Color, line.Width = l.c, vg.Points(1.5)
		if l.dash {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(line)
		p.Legend.Add(l.label, line)
	}
	mark, err := plotter.NewScatter(plotter.XYs{act[anomaly]})
	if err != nil {
		return nil, fmt.Errorf("chart marker: %w", err)
	}
	mark.Color, mark.Shape, mark.Radius = anomalyColor, draw.CircleGlyph{}, vg.Points(4)
	p.Add(mark)
	p.Legend.Top = true
	w, err := p.WriterTo(8*vg.Inch, 3*vg.Inch, "png")
	if err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// bandPolygon shades the normal range where both bounds are finite; nil
// when some point lacks one.
func bandPolygon(pts []notifiers.HistoryPoint, scale float64) *plotter.Polygon {
	ring := make(plotter.XYs, 0, 2*len(pts))
	for _, h := range pts {
		if !finite(h.Lower) || !finite(h.Upper) {
			return nil
		}
		ring = append(ring, plotter.XY{X: float64(h.Time.Unix()), Y: h.Upper * scale})
	}
	for i := len(pts) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: float64(pts[i].Time.Unix()), Y: pts[i].Lower * scale})
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil
	}
	poly.Color, poly.LineStyle.Width = bandColor, 0
	return poly
}
