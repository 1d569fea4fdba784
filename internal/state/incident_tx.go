package state

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"
)

// IncidentFilter selects incidents for ListIncidents. Zero fields match all.
type IncidentFilter struct {
	Rule  string
	State State
	// Since keeps incidents active at or after it: not resolved, or
	// resolved at or after Since.
	Since time.Time
}

// check validates inc and fills in its ID.
func (inc *Incident) check() error {
	if err := checkName("rule", inc.Rule, true); err != nil {
		return err
	}
	if err := checkName("series", inc.Series, false); err != nil {
		return err
	}
	if inc.Start.IsZero() {
		return fmt.Errorf("start is not set")
	}
	if err := checkTime("start", inc.Start); err != nil {
		return err
	}
	id := IncidentID(inc.Rule, inc.Series, inc.Start)
	switch {
	case inc.ID == "":
		inc.ID = id
	case inc.ID != id:
		return fmt.Errorf("id %q does not match its rule, series and start (want %q)", inc.ID, id)
	}
	switch inc.State {
	case Pending, Firing:
	case Resolved:
		if inc.ResolvedAt.IsZero() {
			return fmt.Errorf("state is resolved but resolved_at is not set")
		}
		if err := checkTime("resolved_at", inc.ResolvedAt); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown state %q (want pending, firing or resolved)", inc.State)
	}
	if err := checkFeedbackKind(inc.Feedback, true); err != nil {
		return err
	}
	return checkRaw("explanation", inc.Explanation)
}

// GetIncident returns the incident with the given ID.
func (tx *Tx) GetIncident(id string) (Incident, bool, error) {
	var inc Incident
	b, err := tx.bucket(bIncidents)
	if err != nil {
		return inc, false, err
	}
	ok, err := getJSON(b, []byte(id), &inc)
	return inc, ok, err
}

// OpenIncident returns the incident of rule and series that is not
// resolved, if there is one. There is at most one.
func (tx *Tx) OpenIncident(rule, series string) (Incident, bool, error) {
	b, err := tx.bucket(bOpenIncidents)
	if err != nil {
		return Incident{}, false, err
	}
	id := b.Get(join([]byte(rule), []byte(series)))
	if id == nil {
		return Incident{}, false, nil
	}
	inc, ok, err := tx.GetIncident(string(id))
	if err == nil && !ok {
		err = fmt.Errorf("state file %s: open incident %s of rule %q is missing", tx.s.path, id, rule)
	}
	return inc, ok, err
}

// PutIncident stores inc, filling in its ID when empty, and keeps the
// indexes in step. It refuses (ErrConflict) a second unresolved incident
// for one series.
func (tx *Tx) PutIncident(inc *Incident) error {
	if err := inc.check(); err != nil {
		return fmt.Errorf("put incident %s: %w", inc.ID, err)
	}
	tx.readersChanged()
	old, had, err := tx.GetIncident(inc.ID)
	if err != nil {
		return err
	}
	if err := tx.indexOpen(inc); err != nil {
		return err
	}
	resolved, err := tx.bucket(bResolved)
	if err != nil {
		return err
	}
	id := []byte(inc.ID)
	if had && old.State == Resolved {
		if err := resolved.Delete(join(timeKey(old.ResolvedAt), id)); err != nil {
			return err
		}
	}
	if inc.State == Resolved {
		if err := resolved.Put(join(timeKey(inc.ResolvedAt), id), nil); err != nil {
			return err
		}
	}
	byRule, err := tx.bucket(bIncidentRule)
	if err != nil {
		return err
	}
	if err := byRule.Put(join([]byte(inc.Rule), id), nil); err != nil {
		return err
	}
	b, err := tx.bucket(bIncidents)
	if err != nil {
		return err
	}
	return putJSON(b, id, inc)
}

// indexOpen points the series' open-incident entry at inc while it is not
// resolved, and clears it when it is.
func (tx *Tx) indexOpen(inc *Incident) error {
	b, err := tx.bucket(bOpenIncidents)
	if err != nil {
		return err
	}
	key := join([]byte(inc.Rule), []byte(inc.Series))
	cur := b.Get(key)
	if inc.State == Resolved {
		if string(cur) == inc.ID {
			return b.Delete(key)
		}
		return nil
	}
	if cur != nil && string(cur) != inc.ID {
		return fmt.Errorf("put incident %s: rule %q series %q already has the unresolved incident %s: %w",
			inc.ID, inc.Rule, inc.Series, cur, ErrConflict)
	}
	return b.Put(key, []byte(inc.ID))
}

// UpdateIncident reads the incident id, lets fn change it and stores the
// result, all in this transaction. fn may not change ID, Rule, Series or
// Start. An error from fn leaves the incident as it was.
func (tx *Tx) UpdateIncident(id string, fn func(*Incident) error) (Incident, error) {
	inc, ok, err := tx.GetIncident(id)
	if err != nil {
		return inc, err
	}
	if !ok {
		return inc, fmt.Errorf("update incident %s: %w", id, ErrNotFound)
	}
	if err := fn(&inc); err != nil {
		return inc, err
	}
	if inc.ID != id || IncidentID(inc.Rule, inc.Series, inc.Start) != id {
		return inc, fmt.Errorf("update incident %s: its identity (id, rule, series, start) may not change", id)
	}
	return inc, tx.PutIncident(&inc)
}

// ListIncidents returns the incidents that match f, by start time.
func (tx *Tx) ListIncidents(f IncidentFilter) ([]Incident, error) {
	var out []Incident
	keep := func(inc Incident) {
		if (f.State == "" || inc.State == f.State) &&
			(f.Since.IsZero() || inc.State != Resolved || !inc.ResolvedAt.Before(f.Since)) {
			out = append(out, inc)
		}
	}
	var err error
	if f.Rule != "" {
		err = tx.eachIncidentOfRule(f.Rule, keep)
	} else {
		err = tx.eachIncident(keep)
	}
	slices.SortFunc(out, func(a, b Incident) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

func (tx *Tx) eachIncident(fn func(Incident)) error {
	b, err := tx.bucket(bIncidents)
	if err != nil {
		return err
	}
	return b.ForEach(func(k, _ []byte) error {
		var inc Incident
		if _, err := getJSON(b, k, &inc); err != nil {
			return err
		}
		fn(inc)
		return nil
	})
}

func (tx *Tx) eachIncidentOfRule(rule string, fn func(Incident)) error {
	idx, err := tx.bucket(bIncidentRule)
	if err != nil {
		return err
	}
	p := prefix(rule)
	c := idx.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		inc, ok, err := tx.GetIncident(string(k[len(p):]))
		if err != nil {
			return err
		}
		if ok {
			fn(inc)
		}
	}
	return nil
}

// deleteIncident removes a resolved incident and its index entries.
func (tx *Tx) deleteIncident(inc Incident) error {
	tx.readersChanged()
	id := []byte(inc.ID)
	for name, key := range map[string][]byte{
		string(bIncidents):    id,
		string(bIncidentRule): join([]byte(inc.Rule), id),
		string(bResolved):     join(timeKey(inc.ResolvedAt), id),
	} {
		b, err := tx.bucket([]byte(name))
		if err != nil {
			return err
		}
		if err := b.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// GetIncident returns the incident with the given ID.
func (s *Store) GetIncident(id string) (Incident, bool, error) {
	return lookup(s, func(tx *Tx) (Incident, bool, error) { return tx.GetIncident(id) })
}

// OpenIncident returns the unresolved incident of rule and series, if any.
func (s *Store) OpenIncident(rule, series string) (Incident, bool, error) {
	return lookup(s, func(tx *Tx) (Incident, bool, error) { return tx.OpenIncident(rule, series) })
}

// PutIncident stores inc in its own transaction; see Tx.PutIncident.
func (s *Store) PutIncident(inc *Incident) error {
	return s.Update(func(tx *Tx) error { return tx.PutIncident(inc) })
}

// UpdateIncident changes one incident in one transaction; see
// Tx.UpdateIncident.
func (s *Store) UpdateIncident(id string, fn func(*Incident) error) (Incident, error) {
	return update(s, func(tx *Tx) (Incident, error) { return tx.UpdateIncident(id, fn) })
}

// ListIncidents returns the incidents that match f, by start time.
func (s *Store) ListIncidents(f IncidentFilter) ([]Incident, error) {
	return view(s, func(tx *Tx) ([]Incident, error) { return tx.ListIncidents(f) })
}
