package engine

import (
	"context"
	"errors"
	"fmt"

	"vigil/detector"
	"vigil/sources"
)

// Limit returns a Source that lets at most n queries run against src at
// once; the others wait for a slot or for their context to end. It renders
// SQL when src does.
func Limit(src sources.Source, n int) sources.Source {
	return &limited{src: src, slots: make(chan struct{}, max(n, 1))}
}

type limited struct {
	src   sources.Source
	slots chan struct{}
}

func (l *limited) Query(ctx context.Context, q sources.Query) (detector.Series, error) {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return detector.Series{}, fmt.Errorf("wait for a query slot: %w", context.Cause(ctx))
	}
	defer func() { <-l.slots }()
	return l.src.Query(ctx, q)
}

func (l *limited) Unwrap() sources.Source { return l.src }

// errNoRender reports a source that cannot show its SQL.
var errNoRender = errors.New("source does not render its queries")

func (l *limited) Render(q sources.Query) (string, error) {
	if r, ok := l.src.(renderer); ok {
		return r.Render(q)
	}
	return "", errNoRender
}
