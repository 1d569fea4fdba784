package engine

import (
	"context"
	"fmt"
	"time"

	"vigil/config"
	"vigil/internal/state"
)

// StoreActions carries out what people do to an incident from its Slack
// message, on the state store: acknowledge, snooze, and mark it not an
// anomaly. The lifecycle reads what they record: a snoozed incident's
// notifications are held, and feedback shapes later baselines.
type StoreActions struct {
	store   *state.Store
	now     func() time.Time
	metrics map[string]config.Metric // by rule name, for the bucket width
}

// NewStoreActions returns the actions on store for the metrics of cfg. now
// nil means time.Now.
func NewStoreActions(store *state.Store, cfg *config.Config, now func() time.Time) *StoreActions {
	if now == nil {
		now = time.Now
	}
	ms := map[string]config.Metric{}
	for _, m := range cfg.Metrics {
		ms[m.Name] = m
	}
	return &StoreActions{store: store, now: now, metrics: ms}
}

// Acknowledge records that user acknowledged the incident, and so
// confirmed it as an anomaly: unless someone already judged it, its buckets
// are recorded as confirmed feedback, which keeps them out of later
// baselines (detect.exclude.feedback) even where past incidents are let in.
func (a *StoreActions) Acknowledge(_ context.Context, incidentID, user string) error {
	inc, err := a.store.UpdateIncident(incidentID, func(inc *state.Incident) error {
		inc.AckBy, inc.AckAt = user, a.now()
		return nil
	})
	if err != nil {
		return fmt.Errorf("acknowledge %s: %w", incidentID, err)
	}
	if inc.Feedback != "" {
		return nil
	}
	if err := a.feedback(inc, state.Confirmed, user); err != nil {
		return fmt.Errorf("acknowledge %s: %w", incidentID, err)
	}
	return nil
}

// Snooze holds the incident's notifications until until, or until it
// recovers.
func (a *StoreActions) Snooze(_ context.Context, incidentID, user string, until time.Time, untilRecovery bool) error {
	_, err := a.store.UpdateIncident(incidentID, func(inc *state.Incident) error {
		inc.SnoozedUntil, inc.SnoozeUntilRecovery = until, untilRecovery
		return nil
	})
	if err != nil {
		return fmt.Errorf("snooze %s for %s: %w", incidentID, user, err)
	}
	return nil
}

// NotAnomaly records that user judged the incident a false alarm, over
// the incident's buckets.
func (a *StoreActions) NotAnomaly(_ context.Context, incidentID, user string) error {
	inc, ok, err := a.store.GetIncident(incidentID)
	if err != nil {
		return fmt.Errorf("mark %s not an anomaly: %w", incidentID, err)
	}
	if !ok {
		return fmt.Errorf("mark %s not an anomaly: %w", incidentID, state.ErrNotFound)
	}
	if err := a.feedback(inc, state.NotAnomaly, user); err != nil {
		return fmt.Errorf("mark %s not an anomaly: %w", incidentID, err)
	}
	return nil
}

// feedback records kind from user over inc's buckets, which end a bucket
// of its rule's granularity after their start.
func (a *StoreActions) feedback(inc state.Incident, kind, user string) error {
	m, ok := a.metrics[inc.Rule]
	if !ok || m.Granularity <= 0 {
		return fmt.Errorf("rule %q is no longer configured", inc.Rule)
	}
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	end := func(b time.Time) time.Time { return shift(b.In(loc), m.Granularity, loc, 1) }
	_, err := a.store.SetFeedback(inc.ID, kind, user, a.now(), end)
	return err
}
