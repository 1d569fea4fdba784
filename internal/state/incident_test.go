package state

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestIncidentID(t *testing.T) {
	tests := []struct {
		name, rule, series string
		start              time.Time
		want               string
	}{
		{"whole metric", "orders", "", t0, "orders@2024-05-01T14:00:00Z"},
		{"series", "orders", "country=BR", t0, "orders{country=BR}@2024-05-01T14:00:00Z"},
		{"other zone, same instant", "orders", "", t0.In(time.FixedZone("BRT", -3*3600)), "orders@2024-05-01T14:00:00Z"},
		{"sub-second", "orders", "", t0.Add(time.Millisecond), "orders@2024-05-01T14:00:00.001Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IncidentID(tt.rule, tt.series, tt.start); got != tt.want {
				t.Errorf("IncidentID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPutIncidentRejects(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name   string
		change func(*Incident)
		want   string
	}{
		{"no rule", func(i *Incident) { i.Rule = "" }, "rule is empty"},
		{"NUL in series", func(i *Incident) { i.Series = "a\x00b" }, "NUL"},
		{"no start", func(i *Incident) { i.Start = time.Time{} }, "start is not set"},
		{"start out of range", func(i *Incident) { i.Start = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the years"},
		{"foreign id", func(i *Incident) { i.ID = "mine" }, "does not match"},
		{"unknown state", func(i *Incident) { i.State = "open" }, `unknown state "open"`},
		{"resolved without time", func(i *Incident) { i.State = Resolved }, "resolved_at is not set"},
		{"unknown feedback", func(i *Incident) { i.Feedback = "meh" }, `unknown feedback "meh"`},
		{"bad explanation", func(i *Incident) { i.Explanation = json.RawMessage("{") }, "explanation is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := firing("orders", "", t0)
			tt.change(&inc)
			err := s.PutIncident(&inc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PutIncident = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if list, err := s.ListIncidents(IncidentFilter{}); err != nil || len(list) != 0 {
		t.Errorf("ListIncidents after rejected puts = %d incidents, %v; want none", len(list), err)
	}
}

func TestIncidentRoundTrip(t *testing.T) {
	s := newStore(t)
	inc := firing("orders", "country=BR", t0)
	inc.Peak = Peak{At: t0, Value: 3210, Expected: math.NaN(), Score: math.Inf(1)}
	inc.Refs = map[string]Ref{"growth": {Channel: "C123", TS: "1714572000.000100", ThreadTS: "1714572000.000100"}}
	inc.Explanation = json.RawMessage(`{"sentence":"country=BR accounts for 81% of the drop"}`)
	inc.AckBy, inc.AckAt = "@ana", t0.Add(time.Hour)
	inc.SnoozedUntil = t0.Add(24 * time.Hour)
	must(t, s.PutIncident(&inc))
	if inc.ID != "orders{country=BR}@2024-05-01T14:00:00Z" {
		t.Errorf("PutIncident filled ID %q", inc.ID)
	}
	s = reopen(t, s)
	got, ok, err := s.GetIncident(inc.ID)
	if err != nil || !ok {
		t.Fatalf("GetIncident = %v, %v", ok, err)
	}
	if !math.IsNaN(got.Peak.Expected) || !math.IsInf(got.Peak.Score, 1) || got.Peak.Value != 3210 {
		t.Errorf("Peak = %+v, want value 3210, expected NaN, score +Inf", got.Peak)
	}
	got.Peak, inc.Peak = Peak{}, Peak{}
	if !reflect.DeepEqual(normal(got), normal(inc)) {
		t.Errorf("GetIncident =\n%+v\nwant\n%+v", got, inc)
	}
	if !got.Acked() || !got.Snoozed(t0) || got.Snoozed(t0.Add(25*time.Hour)) {
		t.Errorf("Acked, Snoozed(t0), Snoozed(t0+25h) = %v, %v, %v; want true, true, false",
			got.Acked(), got.Snoozed(t0), got.Snoozed(t0.Add(25*time.Hour)))
	}
	if _, ok, err := s.GetIncident("orders@nope"); ok || err != nil {
		t.Errorf("GetIncident(missing) = %v, %v; want not found", ok, err)
	}
}

// normal strips monotonic clock readings and locations so DeepEqual
// compares instants.
func normal(i Incident) Incident {
	b, _ := json.Marshal(i)
	var out Incident
	_ = json.Unmarshal(b, &out)
	return out
}

func TestOneOpenIncidentPerSeries(t *testing.T) {
	s := newStore(t)
	a := firing("orders", "country=BR", t0)
	must(t, s.PutIncident(&a))
	other := firing("orders", "country=US", t0.Add(time.Hour)) // another series: fine
	must(t, s.PutIncident(&other))

	b := firing("orders", "country=BR", t0.Add(time.Hour))
	if err := s.PutIncident(&b); !errors.Is(err, ErrConflict) {
		t.Fatalf("PutIncident(second open on one series) = %v, want ErrConflict", err)
	}
	got, ok, err := s.OpenIncident("orders", "country=BR")
	if err != nil || !ok || got.ID != a.ID {
		t.Fatalf("OpenIncident = %q, %v, %v; want %q", got.ID, ok, err, a.ID)
	}

	_, err = s.UpdateIncident(a.ID, func(i *Incident) error {
		i.State, i.ResolvedAt = Resolved, t0.Add(2*time.Hour)
		return nil
	})
	must(t, err)
	if _, ok, _ := s.OpenIncident("orders", "country=BR"); ok {
		t.Error("OpenIncident still finds the resolved incident")
	}
	must(t, s.PutIncident(&b)) // now allowed
	if got, ok, _ := s.OpenIncident("orders", "country=BR"); !ok || got.ID != b.ID {
		t.Errorf("OpenIncident = %q, %v; want %q", got.ID, ok, b.ID)
	}

	// Reopening the resolved one would make two open incidents.
	_, err = s.UpdateIncident(a.ID, func(i *Incident) error { i.State = Firing; return nil })
	if !errors.Is(err, ErrConflict) {
		t.Errorf("reopening a resolved incident beside an open one = %v, want ErrConflict", err)
	}
}

func TestUpdateIncident(t *testing.T) {
	s := newStore(t)
	inc := firing("orders", "", t0)
	must(t, s.PutIncident(&inc))
	tests := []struct {
		name    string
		fn      func(*Incident) error
		wantErr string
		check   func(Incident) bool
	}{
		{"ack", func(i *Incident) error { i.AckBy, i.AckAt = "@ana", t0; return nil }, "",
			func(i Incident) bool { return i.AckBy == "@ana" }},
		{"ref", func(i *Incident) error { i.Refs = map[string]Ref{"growth": {Channel: "C1", TS: "1.2"}}; return nil }, "",
			func(i Incident) bool { return i.Refs["growth"].TS == "1.2" && i.AckBy == "@ana" }},
		{"fn error rolls back", func(i *Incident) error { i.AckBy = "@bob"; return errors.New("no") }, "no",
			func(i Incident) bool { return i.AckBy == "@ana" }},
		{"identity is fixed", func(i *Incident) error { i.Series = "country=BR"; return nil }, "may not change",
			func(i Incident) bool { return i.Series == "" }},
		{"invalid result", func(i *Incident) error { i.State = "bogus"; return nil }, "unknown state",
			func(i Incident) bool { return i.State == Firing }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.UpdateIncident(inc.ID, tt.fn)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("UpdateIncident = %v, want error %q", err, tt.wantErr)
			}
			got, _, err := s.GetIncident(inc.ID)
			must(t, err)
			if !tt.check(got) {
				t.Errorf("after UpdateIncident: %+v", got)
			}
		})
	}
	if _, err := s.UpdateIncident("orders@nope", func(*Incident) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateIncident(missing) = %v, want ErrNotFound", err)
	}
}

func TestListIncidents(t *testing.T) {
	s := newStore(t)
	h := time.Hour
	put := func(rule, series string, start time.Time, resolved time.Time) string {
		inc := firing(rule, series, start)
		if !resolved.IsZero() {
			inc.State, inc.ResolvedAt = Resolved, resolved
		}
		must(t, s.PutIncident(&inc))
		return inc.ID
	}
	old := put("orders", "", t0.Add(-72*h), t0.Add(-70*h))
	br := put("orders", "country=BR", t0.Add(-2*h), time.Time{})
	us := put("orders", "country=US", t0.Add(-5*h), t0.Add(-h))
	sg := put("signups", "", t0.Add(-3*h), time.Time{})
	put("orders2", "", t0, time.Time{}) // a rule whose name extends another's

	tests := []struct {
		name string
		f    IncidentFilter
		want []string
	}{
		{"all", IncidentFilter{}, []string{old, us, sg, br, IncidentID("orders2", "", t0)}},
		{"rule", IncidentFilter{Rule: "orders"}, []string{old, us, br}},
		{"rule and state", IncidentFilter{Rule: "orders", State: Resolved}, []string{old, us}},
		{"state", IncidentFilter{State: Firing}, []string{sg, br, IncidentID("orders2", "", t0)}},
		{"since", IncidentFilter{Rule: "orders", Since: t0.Add(-24 * h)}, []string{us, br}},
		{"since after resolution", IncidentFilter{Rule: "orders", State: Resolved, Since: t0}, nil},
		{"unknown rule", IncidentFilter{Rule: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListIncidents(tt.f)
			must(t, err)
			var got []string
			for _, i := range list {
				got = append(got, i.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListIncidents(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}
