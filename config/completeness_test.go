package config

import (
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadCompleteness(t *testing.T) {
	cfgFile := "sources: {local: {type: duckdb}}\nnotifiers: {stdout: {type: console}}\ndefaults: {delay: 2h}\n"
	rules := `metrics:
  - name: orders
    table: orders
    timestamp: created_at
    value: count()
    completeness: {arrival: ingested_at, min: 90%, max_wait: 8h}
  - name: revenue
    table: orders
    timestamp: created_at
    value: sum(amount)
    granularity: 1d
    completeness: {arrival: "coalesce(loaded_at, created_at)"}
  - name: signups
    table: accounts
    timestamp: created_at
    value: count()
`
	fsys := fstest.MapFS{"vigil.yaml": {Data: []byte(cfgFile)}, "rules/r.yaml": {Data: []byte(rules)}}
	cfg, err := LoadFS(fsys, "vigil.yaml")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	want := []Completeness{
		{Arrival: "ingested_at", Min: 0.9, MaxWait: 8 * time.Hour},
		{Arrival: "coalesce(loaded_at, created_at)", Min: 0.95, MaxWait: 6 * time.Hour},
		{},
	}
	for i, m := range cfg.Metrics {
		if m.Completeness != want[i] {
			t.Errorf("metric %q: Completeness = %+v, want %+v", m.Name, m.Completeness, want[i])
		}
		if m.Completeness.Enabled() != (want[i].Arrival != "") {
			t.Errorf("metric %q: Enabled() = %v", m.Name, m.Completeness.Enabled())
		}
	}
}
