package engine

import "time"

// Observer receives what the engine does, for metrics. Its methods must be
// fast and safe for concurrent use; the ops package's Prometheus metrics
// implement it.
type Observer interface {
	// ObserveEvaluation records one evaluation of rule: its result ("ok",
	// "anomaly", "no_data", "error", or "stopped" when vigil's stop cut it
	// short) and how long it took.
	ObserveEvaluation(rule, result string, d time.Duration)
	// QueryError counts a failed query of rule against source, each
	// attempt.
	QueryError(rule, source string)
	// Delivery counts one delivery attempt to notifier: "sent", "retry"
	// (failed, will be tried again) or "failed" (given up).
	Delivery(notifier, result string)
	// SetFiring sets how many incidents of rule are firing.
	SetFiring(rule string, n int)
	// Reload records a reload of the config at the time at.
	Reload(ok bool, at time.Time)
	// ForgetRule drops what is kept about a rule that was removed.
	ForgetRule(rule string)
}

// Results an Observer is given.
const (
	resultOK      = "ok"
	resultAnomaly = "anomaly"
	resultNoData  = "no_data"
	resultError   = "error"
	resultStopped = "stopped"

	deliverySent   = "sent"
	deliveryRetry  = "retry"
	deliveryFailed = "failed"
)

// result names v for an Observer.
func (v Verdict) result() string {
	switch v {
	case VerdictOK:
		return resultOK
	case VerdictAnomaly:
		return resultAnomaly
	case VerdictError:
		return resultError
	}
	return resultNoData
}

// nopObserver discards everything.
type nopObserver struct{}

func (nopObserver) ObserveEvaluation(string, string, time.Duration) {}
func (nopObserver) QueryError(string, string)                       {}
func (nopObserver) Delivery(string, string)                         {}
func (nopObserver) SetFiring(string, int)                           {}
func (nopObserver) Reload(bool, time.Time)                          {}
func (nopObserver) ForgetRule(string)                               {}
