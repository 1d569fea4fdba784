package ops

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// AddRule creates a rule's series at zero (every evaluation result, no alert
// firing, no incidents, no failures), so that rate() and increase() see the
// first error and dashboards show the rule before it has run. Call it for
// every rule of a newly loaded configuration.
func (m *Metrics) AddRule(rule string) {
	if m == nil {
		return
	}
	for _, r := range evaluationResults {
		m.evaluations.WithLabelValues(rule, r)
	}
	m.evaluationDuration.WithLabelValues(rule)
	m.alertsFiring.WithLabelValues(rule)
	m.incidentsOpened.WithLabelValues(rule)
	m.incidentsResolved.WithLabelValues(rule)
	m.consecutiveFailures.WithLabelValues(rule)
}

// ForgetRule deletes every series labelled with rule, so that a rule removed
// by a reload neither lingers in /metrics nor leaks cardinality over a long
// uptime.
func (m *Metrics) ForgetRule(rule string) {
	if m == nil {
		return
	}
	l := prometheus.Labels{"rule": rule}
	m.evaluations.DeletePartialMatch(l)
	m.evaluationDuration.DeletePartialMatch(l)
	m.queryErrors.DeletePartialMatch(l)
	m.alertsFiring.DeletePartialMatch(l)
	m.incidentsOpened.DeletePartialMatch(l)
	m.incidentsResolved.DeletePartialMatch(l)
	m.lastEvaluationOK.DeletePartialMatch(l)
	m.consecutiveFailures.DeletePartialMatch(l)
}

// ObserveEvaluation records one run of rule that took d. result is one of
// ResultOK, ResultAnomaly, ResultError, ResultNoData; any other value is
// counted as ResultError, so a caller's slip can neither invent label values
// nor hide a failure. An error adds one to the rule's consecutive failures;
// any other result resets them and stamps the last successful evaluation.
func (m *Metrics) ObserveEvaluation(rule, result string, d time.Duration) {
	if m == nil {
		return
	}
	if !slices.Contains(evaluationResults, result) {
		result = ResultError
	}
	m.evaluations.WithLabelValues(rule, result).Inc()
	m.evaluationDuration.WithLabelValues(rule).Observe(d.Seconds())
	if result == ResultError {
		m.consecutiveFailures.WithLabelValues(rule).Inc()
		return
	}
	m.consecutiveFailures.WithLabelValues(rule).Set(0)
	m.lastEvaluationOK.WithLabelValues(rule).Set(unixSeconds(m.now()))
}

// QueryError counts a failed query of rule against source.
func (m *Metrics) QueryError(rule, source string) {
	if m == nil {
		return
	}
	m.queryErrors.WithLabelValues(rule, source).Inc()
}

// ObserveQuery records a query against source that took d, whether it
// succeeded or not.
func (m *Metrics) ObserveQuery(source string, d time.Duration) {
	if m == nil {
		return
	}
	m.queryDuration.WithLabelValues(source).Observe(d.Seconds())
}

// ForgetSource deletes the query series of a source removed by a reload.
func (m *Metrics) ForgetSource(source string) {
	if m == nil {
		return
	}
	l := prometheus.Labels{"source": source}
	m.queryDuration.DeletePartialMatch(l)
	m.queryErrors.DeletePartialMatch(l)
}

// SetFiring sets how many alerts of rule are firing now.
func (m *Metrics) SetFiring(rule string, n int) {
	if m == nil {
		return
	}
	m.alertsFiring.WithLabelValues(rule).Set(float64(n))
}

// IncidentOpened counts an incident of rule that started firing.
func (m *Metrics) IncidentOpened(rule string) {
	if m == nil {
		return
	}
	m.incidentsOpened.WithLabelValues(rule).Inc()
}

// IncidentResolved counts an incident of rule that resolved.
func (m *Metrics) IncidentResolved(rule string) {
	if m == nil {
		return
	}
	m.incidentsResolved.WithLabelValues(rule).Inc()
}

// AddNotifier creates a notifier's delivery series at zero, as AddRule does
// for a rule.
func (m *Metrics) AddNotifier(notifier string) {
	if m == nil {
		return
	}
	for _, r := range deliveryResults {
		m.deliveries.WithLabelValues(notifier, r)
	}
}

// ForgetNotifier deletes the series of a notifier removed by a reload.
func (m *Metrics) ForgetNotifier(notifier string) {
	if m == nil {
		return
	}
	l := prometheus.Labels{"notifier": notifier}
	m.deliveries.DeletePartialMatch(l)
	m.deliveryFailures.DeletePartialMatch(l)
}

// Delivery counts one delivery attempt through notifier. result is one of
// DeliverySent, DeliveryFailed, DeliveryRetried, DeliverySkipped; any other
// value is counted as DeliveryFailed.
func (m *Metrics) Delivery(notifier, result string) {
	if m == nil {
		return
	}
	if !slices.Contains(deliveryResults, result) {
		result = DeliveryFailed
	}
	m.deliveries.WithLabelValues(notifier, result).Inc()
}

// DeliveryFailure counts a failed attempt through notifier for reason, a
// short fixed word such as "timeout", "rate_limited", "error" or
// "rejected" (never an error message: each distinct reason is a new series).
func (m *Metrics) DeliveryFailure(notifier, reason string) {
	if m == nil {
		return
	}
	m.deliveryFailures.WithLabelValues(notifier, reason).Inc()
}

// SetQueuePending sets how many deliveries are waiting, retries included.
func (m *Metrics) SetQueuePending(n int) {
	if m == nil {
		return
	}
	m.deliveryQueue.Set(float64(n))
}

// Reload records a configuration load at time at: its result, whether the
// configuration in force is the one just loaded, and when the last good
// load happened.
func (m *Metrics) Reload(ok bool, at time.Time) {
	if m == nil {
		return
	}
	if !ok {
		m.reloads.WithLabelValues("failure").Inc()
		m.lastReloadOK.Set(0)
		return
	}
	m.reloads.WithLabelValues("success").Inc()
	m.lastReloadOK.Set(1)
	m.lastReloadSuccess.Set(unixSeconds(at))
}

// SetRules sets the number of rules in the configuration in force.
func (m *Metrics) SetRules(n int) {
	if m == nil {
		return
	}
	m.rules.Set(float64(n))
}

// SetBuildInfo sets the version label of vigil_build_info, replacing the
// one stamped by the Go toolchain (for a version injected with -ldflags).
func (m *Metrics) SetBuildInfo(version string) {
	if m == nil {
		return
	}
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(version, goVersion()).Set(1)
}

// unixSeconds is t as fractional Unix seconds; the zero time is 0, which
// Prometheus users read as "never".
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
