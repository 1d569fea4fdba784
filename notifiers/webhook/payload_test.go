package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/notifiers"
	"vigil/notifiers/notifierstest"
	"vigil/notifiers/webhook"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPayloadGolden checks the body of a delivery, byte for byte up to
// indentation, against testdata/payload.golden.
func TestPayloadGolden(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	if _, err := newNotifier(t, webhook.Options{URL: r.URL}).Notify(context.Background(), fullAlert(t)); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, r.Requests()[0].Body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	got.WriteByte('\n')
	golden := filepath.Join("testdata", "payload.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./notifiers/webhook -update to create it)", err)
	}
	if got.String() != string(want) {
		t.Errorf("payload differs from %s (go test ./notifiers/webhook -update rewrites it):\ngot:\n%s\nwant:\n%s", golden, got.String(), want)
	}
}

// TestPayloadRoundTrip decodes a delivery into Payload and checks the
// fields a receiver depends on.
func TestPayloadRoundTrip(t *testing.T) {
	r := notifierstest.NewReceiver(t)
	a := fullAlert(t)
	if _, err := newNotifier(t, webhook.Options{URL: r.URL}).Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	var p webhook.Payload
	if err := r.Requests()[0].Decode(&p); err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339, p.Time)
	if err != nil || !at.Equal(a.Time) {
		t.Errorf("time = %q (%v), want %v", p.Time, err, a.Time)
	}
	var ex map[string]any
	if err := json.Unmarshal(p.Explanation, &ex); err != nil || !strings.HasPrefix(ex["sentence"].(string), "Orders were 3,210") {
		t.Errorf("explanation = %s (%v), want the sentence", p.Explanation, err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"version", p.Version, webhook.Version},
		{"id", p.ID, a.ID},
		{"state", p.State, "firing"},
		{"timezone", p.Timezone, "America/Sao_Paulo"},
		{"granularity", p.Granularity, 3600.0},
		{"value", *p.Value, 3210.0},
		{"upper is unbounded", p.Upper == nil, true},
		{"change", math.Round(*p.Change*1e4) / 1e4, -0.2705},
		{"history", len(p.History), 3},
		{"history gap", p.History[1].Value == nil, true},
		{"history time", p.History[0].Time, "2025-03-04T12:00:00Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestPayloadEdges(t *testing.T) {
	tests := []struct {
		name  string
		alter func(a *notifiers.Alert)
		check func(p map[string]any) string // what is wrong, or ""
	}{
		{"no explanation", func(a *notifiers.Alert) { a.Explanation = nil }, func(p map[string]any) string {
			if _, ok := p["explanation"]; ok {
				return "explanation present"
			}
			return ""
		}},
		{"explanation segments pass through", func(a *notifiers.Alert) {
			a.Explanation = &notifiers.Explanation{Sentence: "s", Contributors: []notifiers.Contributor{
				{Segment: []notifiers.SegmentValue{{Dimension: "country", Value: "BR"}}, Share: 1}}}
		},
			func(p map[string]any) string {
				ex, _ := p["explanation"].(map[string]any)
				if ex == nil {
					return "explanation lost"
				}
				seg := ex["contributors"].([]any)[0].(map[string]any)["segment"].([]any)[0].(map[string]any)
				if seg["dimension"] != "country" || seg["value"] != "BR" {
					return "segment lost"
				}
				return ""
			}},
		{"unencodable explanation", func(a *notifiers.Alert) {
			a.Explanation = &notifiers.Explanation{Contributors: []notifiers.Contributor{{Share: math.NaN()}}}
		},
			func(p map[string]any) string {
				if _, ok := p["explanation"]; ok || !strings.Contains(p["explanation_error"].(string), "NaN") {
					return "want explanation_error and no explanation"
				}
				return ""
			}},
		{"expected zero", func(a *notifiers.Alert) { a.Expected = 0 }, func(p map[string]any) string {
			if p["change"] != nil || p["expected"] != 0.0 {
				return "want change null and expected 0"
			}
			return ""
		}},
		{"no history, no location", func(a *notifiers.Alert) { a.History, a.Location = nil, nil }, func(p map[string]any) string {
			if h, ok := p["history"].([]any); !ok || len(h) != 0 || p["timezone"] != "UTC" {
				return "want history [] and timezone UTC"
			}
			return ""
		}},
		{"resolved", func(a *notifiers.Alert) { a.State = notifiers.Resolved }, func(p map[string]any) string {
			if p["state"] != "resolved" {
				return "want state resolved"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifierstest.NewReceiver(t)
			a := fullAlert(t)
			tt.alter(&a)
			if _, err := newNotifier(t, webhook.Options{URL: r.URL}).Notify(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			p := r.Requests()[0].JSON
			if msg := tt.check(p); msg != "" {
				t.Errorf("payload %s: %s", r.Requests()[0].Body, msg)
			}
		})
	}
}
