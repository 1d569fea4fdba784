package slack

import (
	"math"
	"testing"
	"time"

	"vigil/notifiers"
)

// TestDigestItemMerge: an item put back beside one collected since keeps
// the later alert and state, the earlier first time and the worst score of
// both.
func TestDigestItemMerge(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	item := func(first time.Time, worst float64, st notifiers.State, value float64) DigestItem {
		return DigestItem{Alert: notifiers.Alert{ID: "orders@1", State: st, Value: value}, First: first, Worst: worst,
			Resolved: st == notifiers.Resolved}
	}
	tests := []struct {
		name           string
		earlier        DigestItem
		later          DigestItem
		wantFirst      time.Time
		wantWorst      float64
		wantValue      float64
		wantResolved   bool
		wantWorstIsNaN bool
	}{
		{"later resolves a firing one", item(t0, 0.7, notifiers.Firing, 1), item(t0.Add(3*time.Hour), 0.5, notifiers.Resolved, 2),
			t0, 0.7, 2, true, false},
		{"later is worse", item(t0, 0.5, notifiers.Firing, 1), item(t0.Add(time.Hour), 0.9, notifiers.Firing, 2),
			t0, 0.9, 2, false, false},
		{"earlier without a score", item(t0, math.NaN(), notifiers.Firing, 1), item(t0.Add(time.Hour), 0.6, notifiers.Firing, 2),
			t0, 0.6, 2, false, false},
		{"later without a score", item(t0, 0.6, notifiers.Firing, 1), item(t0.Add(time.Hour), math.NaN(), notifiers.Firing, 2),
			t0, 0.6, 2, false, false},
		{"neither has a score", item(t0, math.NaN(), notifiers.Firing, 1), item(t0.Add(time.Hour), math.NaN(), notifiers.Resolved, 2),
			t0, 0, 2, true, true},
		{"earlier has no first time", item(time.Time{}, 0.6, notifiers.Firing, 1), item(t0, 0.5, notifiers.Firing, 2),
			t0, 0.6, 2, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.earlier
			got.Merge(tt.later)
			worstOK := got.Worst == tt.wantWorst || tt.wantWorstIsNaN && math.IsNaN(got.Worst)
			if !got.First.Equal(tt.wantFirst) || !worstOK || got.Alert.Value != tt.wantValue || got.Resolved != tt.wantResolved {
				t.Errorf("Merge = first %v, worst %v, value %v, resolved %v; want %v, %v, %v, %v",
					got.First, got.Worst, got.Alert.Value, got.Resolved, tt.wantFirst, tt.wantWorst, tt.wantValue, tt.wantResolved)
			}
		})
	}
}
