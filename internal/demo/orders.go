package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

var orderColumns = []string{"created_at", "country", "platform", "channel", "amount", "status"}
var orderTypes = []string{"TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR"}

// Order statuses and their usual shares: most orders complete.
const (
	cancelShare = 0.035
	refundShare = 0.02
)

// Boxed strings, so that filling []any rows does not allocate per value.
var (
	boxedCountries     = boxAll(len(countries), func(i int) string { return countries[i].code })
	boxedPlatforms     = boxAll(len(platforms), func(i int) string { return platforms[i] })
	boxedChannels      = boxAll(len(channels), func(i int) string { return channels[i].name })
	completed      any = "completed"
	cancelled      any = "cancelled"
	refunded       any = "refunded"
)

func boxAll(n int, f func(int) string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

const orderWidth = 6

// orders generates one row per order placed.
func (g *generator) orders() Table {
	rows := make([][]any, 0, 360_000)
	var hour []order
	g.hours(func(t time.Time) {
		hour = g.orderHour(t, hour[:0])
		backing := make([]any, len(hour)*orderWidth)
		for i, o := range hour {
			row := backing[i*orderWidth : (i+1)*orderWidth : (i+1)*orderWidth]
			row[0] = o.at
			row[1] = boxedCountries[o.country]
			row[2] = boxedPlatforms[o.platform]
			row[3] = boxedChannels[o.channel]
			row[4] = o.amount
			row[5] = o.status
			rows = append(rows, row)
		}
	})
	return Table{Name: "orders", Columns: orderColumns, Types: orderTypes, Rows: rows}
}

// order is one generated order before it becomes a row.
type order struct {
	at                         time.Time
	country, platform, channel int
	amount                     float64
	status                     any
}

// orderHour appends the orders of the hour starting at t to out, sorted
// by time. The hour's total is its demand, which carries multiplicative
// noise, rounded; the orders are then spread over markets and platforms in
// proportion to their demand, so segment counts vary like Poisson counts.
func (g *generator) orderHour(t time.Time, out []order) []order {
	r := hourRNG(seedOrders, t)
	cells := make([]float64, len(countries)*len(platforms))
	var total float64
	for ci := range countries {
		for p := range platforms {
			l := g.demand(t, ci, p) * g.checkoutCut(t, p)
			cells[ci*len(platforms)+p] = l
			total += l
		}
	}
	n := roundRandom(r, total)
	failing := in(t, g.w.latestStart, g.w.latestEnd)
	spike := in(t, g.w.spikeStart, g.w.spikeEnd)
	for range n {
		cell := pick(cells, total, r.Float64())
		ci, p := cell/len(platforms), cell%len(platforms)
		o := newOrder(r, t, ci, p)
		if spike && channels[o.channel].name == "paid" {
			o.amount = cents(o.amount * bundleBoost)
		}
		if failing && countries[ci].code == "BR" && p == android && r.Float64() < paymentFailure {
			o.status = cancelled
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b order) int { return a.at.Compare(b.at) })
	return out
}

// pick returns the index of the weight that u, uniform in [0,1), falls in
// when the weights, summing to total, are laid end to end.
func pick(weights []float64, total, u float64) int {
	x := u * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// newOrder draws one order of a market and platform in the hour at t.
func newOrder(r *rand.Rand, t time.Time, ci, p int) order {
	c := countries[ci]
	ch := pickChannel(r.Float64())
	value := c.basket * basketFactor[p] * channels[ch].basket * math.Exp(c.spread*r.NormFloat64())
	return order{
		at:       t.Add(time.Duration(r.Int64N(int64(time.Hour/time.Microsecond))) * time.Microsecond),
		country:  ci,
		platform: p,
		channel:  ch,
		amount:   cents(math.Max(value, 1)),
		status:   pickStatus(r.Float64()),
	}
}

func pickChannel(u float64) int { return pick(channelShares[:], 1, u) }

var channelShares = func() (s [4]float64) {
	for i, ch := range channels {
		s[i] = ch.share
	}
	return s
}()

func pickStatus(u float64) any {
	switch {
	case u < cancelShare:
		return cancelled
	case u < cancelShare+refundShare:
		return refunded
	}
	return completed
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }
