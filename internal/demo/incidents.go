package demo

import "time"

// Incident is one change injected into the demo data, for tests and for
// people checking that vigil finds what is there.
type Incident struct {
	Metric  string            // the example rule that should notice it
	Table   string            // the table whose rows it changes
	Start   time.Time         // first affected hour, inclusive
	End     time.Time         // end of the affected hours, exclusive
	Segment map[string]string // the rows it affects: column → value
	Effect  string            // what happened, in plain words
}

// Strength of the injected incidents.
const (
	// paymentFailure is the share of Brazilian Android orders whose payment
	// fails during the latest incident; they end as status 'cancelled'.
	paymentFailure = 0.85
	// bundleBoost multiplies the value of paid-channel orders during the
	// revenue spike.
	bundleBoost = 3.0
	// iosCheckout multiplies the iOS checkout rate on the broken-release day.
	iosCheckout = 0.3
)

// brasilia is the zone of the Brazilian team: UTC−3 all year since 2019.
const brasilia = -3 * time.Hour

// windows are the time ranges of the incidents for one anchor.
type windows struct {
	latestStart, latestEnd time.Time // BR android payment failures
	spikeStart, spikeEnd   time.Time // paid-channel revenue spike
	dropStart, dropEnd     time.Time // iOS conversion drop
}

// incidentWindows places the incidents relative to the anchor:
//   - payment failures in the three hours that end one hour before the
//     anchor, the newest hours settled under a one-hour delay;
//   - the revenue spike from 12:00 to 17:00 in Brasília, 23 or 24 days back;
//   - the conversion drop over one whole Brasília day, 37 or 38 days back,
//     so that a daily rule in America/Sao_Paulo sees it in a single bucket.
//
// The past incidents keep clear of the same hours of past weeks as the
// latest one (anchor-4h-7k days), so that they never distort the baseline
// the latest hours are judged against.
func incidentWindows(anchor time.Time) windows {
	var w windows
	w.latestEnd = anchor.Add(-time.Hour)
	w.latestStart = w.latestEnd.Add(-3 * time.Hour)
	w.spikeStart = brasiliaMidnight(anchor.AddDate(0, 0, -23)).Add(12 * time.Hour)
	w.spikeEnd = w.spikeStart.Add(5 * time.Hour)
	w.dropStart = brasiliaMidnight(anchor.AddDate(0, 0, -37))
	w.dropEnd = w.dropStart.Add(24 * time.Hour)
	return w
}

// brasiliaMidnight returns the start, as a UTC time, of the Brasília day
// containing t.
func brasiliaMidnight(t time.Time) time.Time {
	return t.Add(brasilia).Truncate(24 * time.Hour).Add(-brasilia)
}

func in(t, start, end time.Time) bool { return !t.Before(start) && t.Before(end) }

// Incidents lists the incidents injected into the data Generate returns for
// the same anchor.
func Incidents(anchor time.Time) []Incident {
	anchor = normalize(anchor)
	w := incidentWindows(anchor)
	return []Incident{{
		Metric: "orders", Table: "orders", Start: w.latestStart, End: w.latestEnd,
		Segment: map[string]string{"country": "BR", "platform": "android"},
		Effect:  "payments fail for 85% of Brazilian Android orders: they end cancelled, so completed orders fall while orders placed, their value and checkouts do not",
	}, {
		Metric: "revenue", Table: "orders", Start: w.spikeStart, End: w.spikeEnd,
		Segment: map[string]string{"channel": "paid"},
		Effect:  "a paid campaign for premium bundles triples the value of paid-channel orders; their number does not change",
	}, {
		Metric: "conversion", Table: "sessions", Start: w.dropStart, End: w.dropEnd,
		Segment: map[string]string{"platform": "ios"},
		Effect:  "a broken iOS release cuts the iOS checkout rate by 70% for one Brasília day; sessions do not change",
	}, {
		Metric: "orders", Table: "orders", Start: w.dropStart, End: w.dropEnd,
		Segment: map[string]string{"platform": "ios"},
		Effect:  "iOS orders fall by 70% with the iOS checkout rate on the broken-release day",
	}}
}
