package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"vigil/config"
	"vigil/detector/explain"
	"vigil/internal/methods"
	"vigil/notifiers"
	"vigil/sources"
)

// Build opens every source of cfg, builds its notifiers and a detector per
// metric, and returns an Engine over the metrics. It reports every problem
// at once, joined with errors.Join; on error it closes what it opened.
func Build(ctx context.Context, cfg *config.Config, opts Options) (*Engine, error) {
	opts = opts.withDefaults()
	opened, closers, srcErrs := openSources(ctx, cfg, opts)
	srcs := map[string]sources.Source{}
	for name, ps := range opened {
		srcs[name] = ps.src
	}
	nots, sides, notErrs := buildNotifiers(cfg, opts)
	errs := append(srcErrs, notErrs...)
	hw, err := buildHistory(cfg, srcs)
	if err != nil {
		errs = append(errs, err)
	}
	rules := make([]Rule, 0, len(cfg.Metrics))
	for _, m := range cfg.Metrics {
		r, err := buildRule(cfg, m, srcs, nots, opts)
		if errors.Is(err, errReported) {
			continue
		}
		if err != nil {
			errs = append(errs, located(m.Pos, fmt.Errorf("metric %q: %w", m.Name, err)))
			continue
		}
		rules = append(rules, r)
	}
	if err := errors.Join(errs...); err != nil {
		closeAll(closers)
		return nil, err
	}
	e := New(rules, opts)
	e.historyWriter = hw
	e.slack = sides
	e.sources = opened
	e.pooled = opts.Sources != nil
	e.closers = closers // all of them unless pooled: then Close leaves them to the pool
	return e, nil
}

// buildHistory returns the writer of incident history, nil when it is off.
func buildHistory(cfg *config.Config, srcs map[string]sources.Source) (*historyWriter, error) {
	h := cfg.History
	if !h.Enabled() {
		return nil, nil
	}
	src, ok := srcs[h.Source]
	if !ok {
		if _, known := cfg.Sources[h.Source]; known {
			return nil, nil // its failure to open is reported already
		}
		return nil, located(h.Pos, fmt.Errorf("history: source: no source named %q", h.Source))
	}
	w, err := newHistoryWriter(src, h.Table)
	if err != nil {
		return nil, located(h.Pos, err)
	}
	return w, nil
}

// errReported marks a rule whose only problem was reported already: its
// source failed to open.
var errReported = errors.New("reported")

// buildRule puts together one metric's rule.
func buildRule(cfg *config.Config, m config.Metric, srcs map[string]sources.Source, nots map[string]notifiers.Notifier, opts Options) (Rule, error) {
	var errs []error
	src, opened := srcs[m.Source]
	if _, known := cfg.Sources[m.Source]; !known {
		errs = append(errs, fmt.Errorf("source: no source named %q", m.Source))
	}
	det, desc, err := methods.Build(m, baselineOptions(opts.Store, m, opts.Logger)...)
	if err != nil {
		errs = append(errs, err) // it names the detect setting
	}
	// The rule's copy of the metric carries the history its detector reads,
	// which sizes every query: for methods other than seasonal and auto it
	// comes from their settings (a change offset, a CUSUM window), not from
	// detect.history.
	m.Detect.History = desc.History
	var targets []notifiers.Notifier
	var names []string
	for _, name := range m.Notify {
		n, built := nots[name]
		_, known := cfg.Notifiers[name]
		switch {
		case !known:
			errs = append(errs, fmt.Errorf("notify: no notifier named %q", name))
		case built && n != nil:
			targets = append(targets, n)
			names = append(names, name)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Rule{}, err
	}
	if !opened {
		return Rule{}, errReported
	}
	return Rule{
		Metric:     m,
		SourceName: m.Source,
		Source:     src,
		Detector:   det,
		Method:     desc.Text,
		Explain: explain.Options{MaxQueries: m.Explain.MaxQueries, MaxDuration: m.Explain.MaxDuration,
			MinShare: m.Explain.MinShare, MaxDepth: m.Explain.MaxDepth},
		Timeout:   cfg.Defaults.Timeout,
		Notifiers: targets,
		// The notifier names key the outbox's deliveries.
		NotifierNames: names,
		Consecutive:   1, // detect.consecutive is applied by the detector itself (methods.Build)
	}, nil
}

// sortedKeys returns the keys of m in order, for deterministic errors.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func closeAll(closers []io.Closer) {
	for _, c := range closers {
		if c != nil {
			_ = c.Close()
		}
	}
}

// located prefixes err with the position it comes from, when known.
func located(p config.Pos, err error) error {
	if p.File == "" {
		return err
	}
	return fmt.Errorf("%s: %w", p, err)
}
