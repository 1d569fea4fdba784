package sources

import (
	"context"

	"vigil/detector"
)

// RunFunc runs the one aggregated query of q, which is valid, and returns
// its rows: the part of Query that a driver supplies.
type RunFunc func(ctx context.Context, q Query) ([]Row, error)

// RunQuery validates q, runs it with run and lays its rows out as Fill
// does: a driver's Query.
func RunQuery(ctx context.Context, q Query, run RunFunc) (detector.Series, error) {
	if err := q.Validate(); err != nil {
		return detector.Series{}, err
	}
	rows, err := run(ctx, q)
	if err != nil {
		return detector.Series{}, err
	}
	return Fill(q, rows)
}

// RunArrivals validates q, which must count arrivals too, runs it with
// run and gathers its series and arrivals as FillArrivals does: a driver's
// QueryArrivals.
func RunArrivals(ctx context.Context, q Query, run RunFunc) (detector.Series, detector.Arrivals, error) {
	err := q.Validate()
	if err == nil {
		err = q.ValidateArrivals()
	}
	var rows []Row
	if err == nil {
		rows, err = run(ctx, q)
	}
	if err != nil {
		return detector.Series{}, detector.Arrivals{}, err
	}
	return FillArrivals(q, rows)
}
