// Package demo generates vigil's demo data: an online marketplace's orders
// and traffic over the nine weeks before an anchor hour, with daily and
// weekly seasonality, mild growth, noise, and a few injected incidents that
// the example rules in deploy/examples are written to find.
//
// The story the data tells, for a run at the anchor with the example rules:
// payments fail for most Brazilian Android orders in the three newest
// settled hours. Those orders are still placed but end as 'cancelled', so
// completed orders (the `orders` rule) fall by a fifth to a half, depending
// on the hour, while the value of orders placed (`revenue`, every status)
// and the checkout rate of sessions (`conversion`, from the sessions table)
// stay normal. Brazil on Android is most of the business, which is what
// makes the drop clear in the total at any hour of the day. Incidents lists
// this and two past incidents, for tests and backtests.
//
// Generation is deterministic: fixed seeds, no clock, no download. The same
// anchor always gives the same rows, and an hour's rows depend only on that
// hour (up to the slow trend and the incidents), so data generated for
// neighbouring anchors agrees where it overlaps.
package demo

import "time"

// Table is one generated table, ready for a loader such as the DuckDB
// source's CreateTable. Types are SQL types: TIMESTAMP (time.Time in UTC),
// VARCHAR (string), DOUBLE (float64) and BIGINT (int64).
type Table struct {
	Name    string
	Columns []string
	Types   []string
	Rows    [][]any
}

// History is how far back the data goes from the anchor: eight weeks of
// weekly seasons before the newest hours, and one more for slack.
const History = 9 * 7 * 24 * time.Hour

// Generate returns the demo tables for the hours in [anchor-History,
// anchor). anchor is taken in UTC and truncated to the hour.
//
// Tables:
//   - orders: one row per order placed (created_at, country, platform,
//     channel, amount, status);
//   - sessions: traffic per hour, country, platform and channel (hour,
//     country, platform, channel, sessions, checkouts).
func Generate(anchor time.Time) []Table {
	anchor = normalize(anchor)
	g := newGenerator(anchor)
	return []Table{g.orders(), g.sessions()}
}

// normalize makes an anchor a whole UTC hour.
func normalize(anchor time.Time) time.Time {
	return anchor.UTC().Truncate(time.Hour)
}

// generator holds what every table of one anchor shares.
type generator struct {
	anchor, start time.Time
	w             windows
}

func newGenerator(anchor time.Time) *generator {
	return &generator{anchor: anchor, start: anchor.Add(-History), w: incidentWindows(anchor)}
}

// hours calls f for the start of every hour of the data, oldest first.
func (g *generator) hours(f func(t time.Time)) {
	for t := g.start; t.Before(g.anchor); t = t.Add(time.Hour) {
		f(t)
	}
}

// demand is the expected number of orders in the hour starting at t for
// one market and platform, summed over channels, before any incident.
func (g *generator) demand(t time.Time, ci, platform int) float64 {
	c := countries[ci]
	r := baseRate * c.share * c.mobile[platform] * c.hourShape(t, platform)
	return r * trend(t, g.anchor) * dayFactor(ci, localDay(c.local(t))) * hourFactor(t)
}

// checkoutCut is the factor on the checkout rate of a platform in the hour
// at t: below one on the day of the broken iOS release.
func (g *generator) checkoutCut(t time.Time, platform int) float64 {
	if platform == ios && in(t, g.w.dropStart, g.w.dropEnd) {
		return iosCheckout
	}
	return 1
}
