package ops

import (
	"runtime"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Evaluation results, the values of the result label of
// vigil_evaluations_total.
const (
	ResultOK      = "ok"      // the rule ran and the metric looked normal
	ResultAnomaly = "anomaly" // the rule ran and found an anomaly
	ResultError   = "error"   // the rule could not run: query, detector or config failure
	ResultNoData  = "no_data" // the query succeeded but returned nothing to judge
)

// Delivery results, the values of the result label of vigil_deliveries_total.
const (
	DeliverySent    = "sent"    // the notifier accepted the message
	DeliveryFailed  = "failed"  // the notifier gave up for good
	DeliveryRetried = "retried" // the attempt failed and will be tried again
	DeliverySkipped = "skipped" // nothing was sent on purpose: snoozed, muted, already delivered
)

var (
	evaluationResults = []string{ResultOK, ResultAnomaly, ResultError, ResultNoData}
	deliveryResults   = []string{DeliverySent, DeliveryFailed, DeliveryRetried, DeliverySkipped}
)

// Buckets for the duration histograms, in seconds: a rule runs from a few
// milliseconds (DuckDB on a laptop) to minutes (a cold ClickHouse cluster plus
// breakdown queries), and the query timeouts sit in the upper buckets.
var (
	evaluationBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	queryBuckets      = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}
)

// NewRegistry returns a registry of its own (not Prometheus' global default)
// holding the Go runtime and process collectors, ready for NewMetrics and
// for Options.Registry.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// Metrics holds the daemon's own metrics, all named vigil_*. The engine calls
// its methods; they are safe for concurrent use and never fail. A nil
// *Metrics is valid and records nothing, so code paths without metrics (the
// one-shot CLI commands) need no checks.
type Metrics struct {
	now func() time.Time // the clock for last-success timestamps

	evaluations         *prometheus.CounterVec
	evaluationDuration  *prometheus.HistogramVec
	queryErrors         *prometheus.CounterVec
	queryDuration       *prometheus.HistogramVec
	alertsFiring        *prometheus.GaugeVec
	incidentsOpened     *prometheus.CounterVec
	incidentsResolved   *prometheus.CounterVec
	deliveries          *prometheus.CounterVec
	deliveryFailures    *prometheus.CounterVec
	deliveryQueue       prometheus.Gauge
	reloads             *prometheus.CounterVec
	lastReloadOK        prometheus.Gauge
	lastReloadSuccess   prometheus.Gauge
	lastEvaluationOK    *prometheus.GaugeVec
	consecutiveFailures *prometheus.GaugeVec
	rules               prometheus.Gauge
	buildInfo           *prometheus.GaugeVec
}

// NewMetrics creates the daemon's metrics and registers them with reg (pass
// the registry from NewRegistry; a nil reg keeps them unregistered). It
// panics if they are already registered there, a programming error.
// vigil_build_info starts with the version Go stamped into the binary;
// SetBuildInfo overrides it.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := newMetrics()
	if reg != nil {
		reg.MustRegister(m.collectors()...)
	}
	m.SetBuildInfo(stampedVersion())
	// Until the first load: both reload counters at 0, no configuration in
	// force, never loaded.
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	m.lastReloadOK.Set(0)
	m.lastReloadSuccess.Set(0)
	return m
}

func newMetrics() *Metrics {
	ruleLabel := []string{"rule"}
	return &Metrics{
		now: time.Now,
		evaluations: counterVec("vigil_evaluations_total",
			"Rule evaluations by outcome: ok, anomaly (an anomaly was found), error (the rule could not run) or no_data (the query returned nothing to judge).",
			"rule", "result"),
		evaluationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_evaluation_duration_seconds",
			Help:    "Time one rule evaluation took, from the query through detection and explanation.",
			Buckets: evaluationBuckets,
		}, ruleLabel),
		queryErrors: counterVec("vigil_query_errors_total",
			"Warehouse queries that failed, by rule and source (timeouts, refused connections, SQL errors).",
			"rule", "source"),
		queryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_query_duration_seconds",
			Help:    "Time a warehouse query took, by source, failed queries included.",
			Buckets: queryBuckets,
		}, []string{"source"}),
		alertsFiring: gaugeVec("vigil_alerts_firing",
			"Alerts currently firing, by rule.", ruleLabel...),
		incidentsOpened: counterVec("vigil_incidents_opened_total",
			"Incidents opened (an alert started firing), by rule.", ruleLabel...),
		incidentsResolved: counterVec("vigil_incidents_resolved_total",
			"Incidents resolved (the metric returned to its expected range), by rule.", ruleLabel...),
		deliveries: counterVec("vigil_deliveries_total",
			"Notification delivery attempts by notifier and outcome: sent, failed (given up), retried (will be tried again) or skipped (snoozed, muted or already delivered).",
			"notifier", "result"),
		deliveryFailures: counterVec("vigil_delivery_failures_total",
			"Failed notification delivery attempts by notifier and reason: timeout, rate_limited, rejected (not to be retried) or error.",
			"notifier", "reason"),
		deliveryQueue: gauge("vigil_delivery_queue_pending",
			"Notifications waiting to be delivered, retries included. A queue that keeps growing means a notifier is down."),
		reloads: counterVec("vigil_config_reloads_total",
			"Configuration loads by result; on failure the previous configuration stays in force.",
			"result"),
		lastReloadOK: gauge("vigil_config_last_reload_successful",
			"1 if the last configuration load succeeded, 0 if it failed and vigil is running on the previous configuration."),
		lastReloadSuccess: gauge("vigil_config_last_reload_success_timestamp_seconds",
			"Unix time of the last successful configuration load."),
		lastEvaluationOK: gaugeVec("vigil_last_successful_evaluation_timestamp_seconds",
			"Unix time a rule last ran without error (ok, anomaly or no_data). Alert when it falls far behind the rule's schedule.",
			ruleLabel...),
		consecutiveFailures: gaugeVec("vigil_rule_consecutive_failures",
			"Evaluations of a rule that failed in a row; 0 after a run without error.",
			ruleLabel...),
		rules: gauge("vigil_rules",
			"Rules in the configuration in force."),
		buildInfo: gaugeVec("vigil_build_info",
			"Always 1; the labels tell the vigil version and the Go version it was built with.",
			"version", "goversion"),
	}
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		m.evaluations, m.evaluationDuration, m.queryErrors, m.queryDuration,
		m.alertsFiring, m.incidentsOpened, m.incidentsResolved,
		m.deliveries, m.deliveryFailures, m.deliveryQueue,
		m.reloads, m.lastReloadOK, m.lastReloadSuccess,
		m.lastEvaluationOK, m.consecutiveFailures, m.rules, m.buildInfo,
	}
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
}

func gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

// stampedVersion is the main module's version recorded by the Go toolchain:
// a tag for `go install vigil@v1.2.3`, "(devel)" or a pseudo-version for a
// local build.
func stampedVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "unknown"
}

// goVersion is the Go version the binary was built with.
func goVersion() string { return runtime.Version() }
