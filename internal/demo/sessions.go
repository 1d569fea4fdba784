package demo

import "time"

var sessionColumns = []string{"hour", "country", "platform", "channel", "sessions", "checkouts"}
var sessionTypes = []string{"TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "BIGINT"}

const sessionWidth = 6

// sessions generates traffic pre-aggregated per hour, country, platform and
// channel: the sessions started and how many of them reached checkout.
// Expected checkouts match the orders' demand (a checkout places an order
// with probability placeRate), so the two tables tell one story; they are
// drawn from their own stream, so payment failures in orders leave them
// alone.
func (g *generator) sessions() Table {
	cells := len(countries) * len(platforms) * len(channels)
	rows := make([][]any, 0, int(History/time.Hour)*cells)
	g.hours(func(t time.Time) {
		r := hourRNG(seedSessions, t)
		backing := make([]any, cells*sessionWidth)
		for ci, c := range countries {
			for p := range platforms {
				demand := g.demand(t, ci, p)
				for chi, ch := range channels {
					rate := checkoutRate[p] * c.conv * ch.conv * convShape(c, t)
					traffic := demand * ch.share / placeRate / rate
					s := poisson(r, traffic)
					k := binomial(r, s, rate*g.checkoutCut(t, p))
					row := backing[:sessionWidth:sessionWidth]
					backing = backing[sessionWidth:]
					row[0], row[1], row[2], row[3] = t, boxedCountries[ci], boxedPlatforms[p], boxedChannels[chi]
					row[4], row[5] = int64(s), int64(k)
					rows = append(rows, row)
				}
			}
		}
	})
	return Table{Name: "sessions", Columns: sessionColumns, Types: sessionTypes, Rows: rows}
}

// convShape is the relative checkout rate by local time of day: evening
// visitors mean to buy, late-night ones browse. Its mean is about one.
func convShape(c country, t time.Time) float64 {
	mid := c.local(t.Add(30 * time.Minute))
	return 0.85 + 0.15*interpolate(float64(mid.Hour())+float64(mid.Minute())/60)
}
