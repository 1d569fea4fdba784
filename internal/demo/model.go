package demo

import (
	"math"
	"time"
)

// The demo business is a Brazil-born online marketplace that also sells in
// North America, Europe and Asia. Brazil is its largest market, and most
// Brazilians shop from Android phones (about 80% of Brazil's smartphones run
// Android). That makes country=BR, platform=android a large share of the
// orders, so an outage there moves the company's total.

// country describes one market.
type country struct {
	code   string
	share  float64 // share of all orders
	offset int     // UTC offset in minutes (standard time; the demo ignores daylight saving)
	basket float64 // median order value in dollars
	spread float64 // sigma of the log of the order value
	mobile [3]float64
	conv   float64 // relative checkout rate of the market's sessions
}

// Platforms, in the order of country.mobile.
var platforms = [3]string{"android", "ios", "web"}

const (
	android = 0
	ios     = 1
	web     = 2
)

var countries = []country{
	{code: "BR", share: 0.64, offset: -180, basket: 27, spread: 0.55, mobile: [3]float64{0.82, 0.09, 0.09}, conv: 0.95},
	{code: "US", share: 0.15, offset: -300, basket: 64, spread: 0.50, mobile: [3]float64{0.35, 0.45, 0.20}, conv: 1.15},
	{code: "MX", share: 0.11, offset: -360, basket: 31, spread: 0.55, mobile: [3]float64{0.70, 0.15, 0.15}, conv: 0.90},
	{code: "DE", share: 0.03, offset: 60, basket: 56, spread: 0.45, mobile: [3]float64{0.45, 0.30, 0.25}, conv: 1.10},
	{code: "GB", share: 0.02, offset: 0, basket: 52, spread: 0.45, mobile: [3]float64{0.35, 0.45, 0.20}, conv: 1.10},
	{code: "IN", share: 0.015, offset: 330, basket: 13, spread: 0.60, mobile: [3]float64{0.85, 0.05, 0.10}, conv: 0.80},
	{code: "FR", share: 0.02, offset: 60, basket: 49, spread: 0.45, mobile: [3]float64{0.45, 0.30, 0.25}, conv: 1.05},
	{code: "JP", share: 0.015, offset: 540, basket: 47, spread: 0.45, mobile: [3]float64{0.30, 0.55, 0.15}, conv: 1.00},
}

// channel describes one acquisition channel.
type channel struct {
	name   string
	share  float64 // share of orders
	basket float64 // factor on the order value
	conv   float64 // relative checkout rate of its sessions
}

var channels = []channel{
	{name: "organic", share: 0.46, basket: 1.00, conv: 1.00},
	{name: "paid", share: 0.26, basket: 1.10, conv: 0.75},
	{name: "email", share: 0.14, basket: 1.05, conv: 1.60},
	{name: "referral", share: 0.14, basket: 0.95, conv: 1.20},
}

// basketFactor is the order value factor of each platform: people buy more
// at a desk than on a phone.
var basketFactor = [3]float64{0.90, 1.15, 1.25}

// checkoutRate is the share of a platform's sessions that reach checkout.
var checkoutRate = [3]float64{0.030, 0.042, 0.022}

// placeRate is the share of checkouts that end in a placed order: most
// carts are abandoned at checkout.
const placeRate = 0.45

// baseRate is the mean number of orders per hour across the day and the
// week, at the anchor: about 310k orders over the nine weeks.
const baseRate = 210

// growth is the weekly growth of the business: mild, about 5% over the
// nine weeks.
const growth = 0.006

// diurnal is the relative order rate by local hour of day: quiet before
// dawn, busy at lunch and busiest after dinner. Its mean is one.
var diurnal = func() [24]float64 {
	d := [24]float64{
		0.70, 0.52, 0.42, 0.36, 0.34, 0.37, 0.46, 0.60, 0.78, 0.96, 1.08, 1.17,
		1.25, 1.22, 1.15, 1.12, 1.14, 1.21, 1.33, 1.48, 1.58, 1.55, 1.32, 0.95,
	}
	var sum float64
	for _, v := range d {
		sum += v
	}
	for i := range d {
		d[i] *= 24 / sum
	}
	return d
}()

// dayOfWeek is the relative order rate by local weekday (Sunday first), on
// mobile and on the web. Phones shop more at the weekend, desks less.
var dayOfWeek = [2][7]float64{
	{1.10, 0.96, 0.95, 0.96, 0.97, 1.00, 1.08}, // mobile
	{0.82, 1.06, 1.07, 1.06, 1.04, 1.00, 0.78}, // web
}

// local returns t in a country's zone.
func (c country) local(t time.Time) time.Time {
	return t.Add(time.Duration(c.offset) * time.Minute)
}

// hourShape is the relative rate of a platform in a country during the UTC
// hour starting at t, from the time of day and day of week there. At the
// weekend people wake later, so the curve starts an hour late.
func (c country) hourShape(t time.Time, platform int) float64 {
	mid := c.local(t.Add(30 * time.Minute))
	wd := mid.Weekday()
	h := float64(mid.Hour()) + float64(mid.Minute())/60
	if wd == time.Saturday || wd == time.Sunday {
		h--
	}
	kind := 0
	if platform == web {
		kind = 1
	}
	return interpolate(h) * dayOfWeek[kind][wd]
}

// interpolate reads the diurnal curve at a fractional local hour, taking
// each table entry as the rate at the middle of its hour.
func interpolate(h float64) float64 {
	x := math.Mod(h-0.5+48, 24)
	i := int(x)
	f := x - float64(i)
	return diurnal[i]*(1-f) + diurnal[(i+1)%24]*f
}

// trend is the growth factor at t: one at the anchor, a little less before.
func trend(t, anchor time.Time) float64 {
	weeks := t.Sub(anchor).Hours() / (7 * 24)
	return math.Exp(growth * weeks)
}
