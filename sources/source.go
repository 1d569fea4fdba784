// Package sources defines how vigil asks a warehouse for a metric. Each
// backend (duckdb, clickhouse) lives in its own subpackage and owns its SQL
// dialect; this package holds what they share and stays free of drivers.
package sources

import (
	"context"
	"time"

	"vigil/detector"
)

// Source runs one aggregated query for a metric and returns its series: one
// value per time bucket over [From, To), absent buckets as NaN.
type Source interface {
	Query(ctx context.Context, q Query) (detector.Series, error)
}

// Query is what a rule asks of a source. Exactly one of Value, the
// Numerator/Denominator pair, or SQL is set.
type Query struct {
	Rule      string // the metric's name, for errors and query comments
	Table     string // table or view, possibly qualified (db.table)
	Timestamp string // the time column
	// Value is an aggregate expression such as count(), sum(amount) or
	// uniq(user_id), written in either dialect's common form; backends
	// translate the few functions whose names differ.
	Value string
	// Numerator and Denominator make a ratio metric: sum over the bucket of
	// each, then divided. The series' Weight holds the denominator.
	Numerator   string
	Denominator string
	Filter      string // optional SQL condition, trusted: it comes from the rules repository
	// SQL is the escape hatch: a full query returning (bucket, value) rows,
	// with the placeholders {{from}}, {{to}} (timestamps of the dialect,
	// bound as parameters) and {{bucket_seconds}} (an integer). The bucket
	// is a timestamp, a date (calendar buckets) or Unix seconds.
	SQL string

	Granularity time.Duration  // bucket width; a whole number of days buckets at local midnight
	Location    *time.Location // the rule's zone, for calendar buckets and seasonal slots
	From, To    time.Time      // bucket starts: From inclusive, To exclusive; both aligned
	FillZero    bool           // absent buckets are zero instead of missing

	// Arrival, with Now and Probes, makes the query count arrivals as well,
	// for ArrivalSource.QueryArrivals: the column (or expression) holding
	// each row's arrival (ingestion) time. Structured form only.
	Arrival string
	Now     time.Time       // the moment of evaluation: rows that arrived after it have not arrived
	Probes  []time.Duration // offsets from each bucket's start, ascending whole seconds, at which arrived rows are counted
}
