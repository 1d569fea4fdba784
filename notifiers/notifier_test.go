package notifiers_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"vigil/internal/deptest"
	"vigil/notifiers"
)

func TestDeliveryKey(t *testing.T) {
	at := time.Date(2025, 3, 4, 14, 0, 0, 0, time.UTC)
	base := notifiers.Alert{ID: "orders", State: notifiers.Firing, Time: at}
	derived := base.DeliveryKey()
	if !strings.HasPrefix(derived, "vigil-") || len(derived) != len("vigil-")+32 {
		t.Fatalf("DeliveryKey() = %q, want vigil- and 32 hex digits", derived)
	}
	with := func(f func(*notifiers.Alert)) notifiers.Alert { a := base; f(&a); return a }
	tests := []struct {
		name string
		a    notifiers.Alert
		same bool // the key equals the base alert's
	}{
		{"same alert again", with(func(a *notifiers.Alert) { a.Value = 3 }), true},
		{"same instant elsewhere", with(func(a *notifiers.Alert) { a.Time = at.In(time.FixedZone("X", 3600)) }), true},
		{"other state", with(func(a *notifiers.Alert) { a.State = notifiers.Resolved }), false},
		{"other bucket", with(func(a *notifiers.Alert) { a.Time = at.Add(time.Hour) }), false},
		{"other series", with(func(a *notifiers.Alert) { a.ID = "orders{country=BR}" }), false},
		{"fields do not run together", notifiers.Alert{ID: "ordersfiring", Time: at}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.DeliveryKey(); (got == derived) != tt.same {
				t.Errorf("DeliveryKey() = %q, base %q; want equal: %v", got, derived, tt.same)
			}
		})
	}
	if got := with(func(a *notifiers.Alert) { a.Key = "outbox-17" }).DeliveryKey(); got != "outbox-17" {
		t.Errorf("DeliveryKey() with Key set = %q, want outbox-17", got)
	}
}

// TestDeps keeps notifiers cheap to import: the standard library only.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/notifiers", "...")
}

func TestHowJudged(t *testing.T) {
	tests := []struct {
		name, method, sensitivity, want string
	}{
		{"both", "seasonal (weekly, 8 seasons)", "medium", "seasonal (weekly, 8 seasons), medium sensitivity"},
		{"described", "seasonal (weekly, 8 seasons), medium sensitivity", "medium", "seasonal (weekly, 8 seasons), medium sensitivity"},
		{"explicit threshold", "change (±20%)", "z 3.5", "change (±20%), sensitivity z 3.5"},
		{"sensitivity only", "", "high", "high sensitivity"},
		{"method only", "threshold", "", "threshold"},
		{"neither", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (notifiers.Alert{Method: tt.method, Sensitivity: tt.sensitivity}).HowJudged(); got != tt.want {
				t.Errorf("HowJudged() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSide(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		a    notifiers.Alert
		want string
	}{
		{"own direction", notifiers.Alert{Direction: "up", Value: 1, Expected: 5}, "up"},
		{"below expected", notifiers.Alert{Value: 1, Expected: 5}, "down"},
		{"above expected", notifiers.Alert{Value: 9, Expected: 5}, "up"},
		{"no expected, below the band", notifiers.Alert{Value: 1, Expected: nan, Lower: 3}, "down"},
	}
	for _, tt := range tests {
		if got := tt.a.Side(); got != tt.want {
			t.Errorf("%s: Side() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
