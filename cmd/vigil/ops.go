package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/engine"
	"vigil/internal/ops"
)

// opsObserver records the engine's events as ops metrics, mapping the
// engine's words onto the metrics' fixed label values.
type opsObserver struct{ m *ops.Metrics }

func (o opsObserver) ObserveEvaluation(rule, result string, d time.Duration) {
	if result == "stopped" { // cut short by vigil's own stop: neither a success nor a failure
		return
	}
	o.m.ObserveEvaluation(rule, result, d)
}

func (o opsObserver) QueryError(rule, source string) { o.m.QueryError(rule, source) }

func (o opsObserver) Delivery(notifier, result string) {
	if result == "retry" {
		result = ops.DeliveryRetried
	}
	o.m.Delivery(notifier, result)
}

func (o opsObserver) DeliveryFailure(notifier, reason string) { o.m.DeliveryFailure(notifier, reason) }

func (o opsObserver) SetFiring(rule string, n int) { o.m.SetFiring(rule, n) }
func (o opsObserver) Reload(ok bool, at time.Time) { o.m.Reload(ok, at) }
func (o opsObserver) ForgetRule(rule string)       { o.m.ForgetRule(rule) }

var _ engine.Observer = opsObserver{}

// startOps serves /metrics, /healthz and /readyz for d on addr and returns
// a function that shuts the server down.
func startOps(ctx context.Context, addr string, reg *prometheus.Registry, d *engine.Daemon, log *slog.Logger) (func(), error) {
	srv := ops.NewServer(ops.Options{Addr: addr, Registry: reg, Ready: d.Check, Logger: log})
	_, err := srv.Start(ctx)
	if err != nil {
		return nil, err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}
