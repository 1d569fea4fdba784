package engine

import (
	"encoding/json"
	"errors"
	"io"
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
