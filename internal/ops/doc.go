// Package ops is vigil's operations surface: the daemon's Prometheus
// metrics, the HTTP server for /metrics, /healthz and /readyz, and the
// structured logger with secret redaction.
//
// It is a leaf: it imports no other vigil package. The engine records what
// happens through [Metrics] and supplies readiness as a func; cmd/vigil
// builds the logger with [NewLogger] and runs the [Server].
//
// # Endpoints
//
//   - /metrics: Prometheus text exposition of a registry of vigil's own
//     (never the global default): the vigil_* metrics below, the Go
//     runtime and process collectors, and promhttp's own counters.
//   - /healthz: 200 "ok" while the process serves HTTP (liveness).
//   - /readyz: 200 "ready" when the engine's Ready func returns nil, 503
//     "not ready: <reason>" otherwise and while shutting down (readiness).
//     Verdicts are cached for [DefaultReadyCache] and only one check runs
//     at a time, so probes cannot hammer the warehouse; a check is cut off
//     after [DefaultReadyTimeout].
//   - /: an index of the above.
//
// The server listens on [DefaultAddr], 127.0.0.1:9464, unless told
// otherwise: exposing it to the network is the operator's decision.
//
// # Metrics
//
//	vigil_evaluations_total{rule,result}                  ok | anomaly | error | no_data
//	vigil_evaluation_duration_seconds{rule}               histogram
//	vigil_query_errors_total{rule,source}
//	vigil_query_duration_seconds{source}                  histogram
//	vigil_alerts_firing{rule}                             gauge
//	vigil_incidents_opened_total{rule}
//	vigil_incidents_resolved_total{rule}
//	vigil_deliveries_total{notifier,result}               sent | failed | retried | skipped
//	vigil_delivery_failures_total{notifier,reason}        timeout | rate_limited | rejected | error
//	vigil_delivery_queue_pending                          gauge
//	vigil_config_reloads_total{result}                    success | failure
//	vigil_config_last_reload_successful                   gauge, 0 or 1
//	vigil_config_last_reload_success_timestamp_seconds    gauge
//	vigil_last_successful_evaluation_timestamp_seconds{rule}  gauge
//	vigil_rule_consecutive_failures{rule}                 gauge
//	vigil_rules                                           gauge
//	vigil_build_info{version,goversion}                   gauge, always 1
//
// Useful alerts on vigil itself: vigil_rule_consecutive_failures > 3;
// time() - vigil_last_successful_evaluation_timestamp_seconds well above a
// rule's schedule; vigil_config_last_reload_successful == 0;
// increase(vigil_delivery_failures_total[1h]) > 0; a growing
// vigil_delivery_queue_pending.
package ops
