package engine

import (
	"context"
	"errors"
	"net"
	"time"

	"vigil/notifiers"
)

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
	// DeliveryFailure counts a failed attempt through notifier, retried or
	// not, by a fixed reason: "rate_limited", "timeout", "rejected"
	// (permanent) or "error".
	DeliveryFailure(notifier, reason string)
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

// failureReason names the kind of a failed delivery for DeliveryFailure;
// retry is what the notifier said of it.
func failureReason(err error, retry bool) string {
	var netErr net.Error
	switch {
	case !retry || notifiers.IsPermanent(err):
		return "rejected"
	case func() bool { _, ok := notifiers.RetryAfter(err); return ok }():
		return "rate_limited"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	}
	return "error"
}

// nopObserver discards everything.
type nopObserver struct{}

func (nopObserver) ObserveEvaluation(string, string, time.Duration) {}
func (nopObserver) QueryError(string, string)                       {}
func (nopObserver) Delivery(string, string)                         {}
func (nopObserver) DeliveryFailure(string, string)                  {}
func (nopObserver) SetFiring(string, int)                           {}
func (nopObserver) Reload(bool, time.Time)                          {}
func (nopObserver) ForgetRule(string)                               {}
