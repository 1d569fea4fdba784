package engine

import (
	"context"
	"errors"
	"fmt"

	"vigil/detector"
	"vigil/detector/explain"
	"vigil/sources"
)

// Limit returns a Source that lets at most n queries run against src at
// once; the others wait for a slot or for their context to end. It renders
// SQL and breaks metrics down (within the same limit) when src does.
func Limit(src sources.Source, n int) sources.Source {
	return &limited{src: src, slots: make(chan struct{}, max(n, 1))}
}

type limited struct {
	src   sources.Source
	slots chan struct{}
}

func (l *limited) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	if err := l.acquire(ctx); err != nil {
		return detector.Series{}, err
	}
	defer l.release()
	return l.src.Query(ctx, q)
}

func (l *limited) Breakdown(ctx context.Context, q sources.Query, req explain.Request) ([]explain.Cell, error) {
	b, ok := l.src.(sources.Breakdowner)
	if !ok {
		return nil, errNoBreakdown
	}
	if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	defer l.release()
	return b.Breakdown(ctx, q, req)
}

func (l *limited) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for a query slot: %w", context.Cause(ctx))
	}
}

func (l *limited) release() { <-l.slots }

func (l *limited) Unwrap() sources.Source { return l.src }

// errNoRender reports a source that cannot show its SQL.
var errNoRender = errors.New("source does not render its queries")

func (l *limited) Render(q sources.Query) (string, error) {
	if r, ok := l.src.(renderer); ok {
		return r.Render(q)
	}
	return "", errNoRender
}

// QueryArrivals runs an arrival query within the source's limit.
func (l *limited) QueryArrivals(ctx context.Context, q sources.Query) (detector.Series, detector.Arrivals, error) {
	a, ok := l.src.(sources.ArrivalSource)
	if !ok {
		return detector.Series{}, detector.Arrivals{}, errNoArrivals
	}
	if err := l.acquire(ctx); err != nil {
		return detector.Series{}, detector.Arrivals{}, err
	}
	defer l.release()
	return a.QueryArrivals(ctx, q)
}
