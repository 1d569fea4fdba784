package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"vigil/config"
	"vigil/sources"
)

// Pool keeps sources open across reloads, so that a reload re-opens only
// the sources whose settings changed. Build (with Options.Sources) takes a
// source from the pool when one of the same name and settings is open and
// opens the others; once the new engine replaces the old one, Adopt makes
// its sources the pool's and closes those it no longer uses.
type Pool struct {
	mu   sync.Mutex
	srcs map[string]pooledSource
}

// pooledSource is an open source: wrapped for the engine (retry and
// concurrency limit), with what closes it.
type pooledSource struct {
	key    string // the settings it was opened with
	src    sources.Source
	closer io.Closer
}

// NewPool returns an empty Pool.
func NewPool() *Pool { return &Pool{srcs: map[string]pooledSource{}} }

// sourceKey identifies a source's settings. It holds secrets (the DSN) and
// stays in memory: it is never printed.
func sourceKey(sc config.Source) string {
	sc.Pos = config.Pos{}
	b, err := json.Marshal(sc)
	if err != nil {
		return ""
	}
	return string(b)
}

// get returns the open source name if it has the settings key.
func (p *Pool) get(name, key string) (pooledSource, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ps, ok := p.srcs[name]
	return ps, ok && key != "" && ps.key == key
}

// Adopt makes e's sources the pool's and closes the ones e does not use.
// Call it once e has replaced the engine that used them.
func (p *Pool) Adopt(e *Engine) error {
	p.mu.Lock()
	old := p.srcs
	p.srcs = map[string]pooledSource{}
	for name, ps := range e.sources {
		p.srcs[name] = ps
	}
	p.mu.Unlock()
	var errs []error
	for name, ps := range old {
		if cur, ok := e.sources[name]; ok && cur.closer == ps.closer {
			continue
		}
		if ps.closer != nil {
			errs = append(errs, ps.closer.Close())
		}
	}
	return errors.Join(errs...)
}

// Close closes every source in the pool.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, ps := range p.srcs {
		if ps.closer != nil {
			errs = append(errs, ps.closer.Close())
		}
	}
	p.srcs = map[string]pooledSource{}
	return errors.Join(errs...)
}

// pinger is a source that can tell whether its warehouse answers.
type pinger interface {
	Ping(ctx context.Context) error
}

// Ping asks every open source that can (ClickHouse; DuckDB runs in process)
// whether it answers, and returns the failures joined, each naming its
// source.
func (p *Pool) Ping(ctx context.Context) error {
	p.mu.Lock()
	names := make([]string, 0, len(p.srcs))
	srcs := make(map[string]any, len(p.srcs))
	for name, ps := range p.srcs {
		names = append(names, name)
		srcs[name] = ps.closer
	}
	p.mu.Unlock()
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		if pg, ok := srcs[name].(pinger); ok {
			if err := pg.Ping(ctx); err != nil {
				errs = append(errs, fmt.Errorf("source %q: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}
