package config

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestExplainSettings(t *testing.T) {
	tests := []struct {
		name    string
		metric  string
		want    Explain
		wantErr string
	}{
		{"all", `dimensions: [country], explain: {max_queries: 5, max_duration: 30s, min_share: 90%, max_depth: 2}`,
			Explain{MaxQueries: 5, MaxDuration: 30 * time.Second, MinShare: 0.9, MaxDepth: 2}, ""},
		{"none", `dimensions: [country]`, Explain{}, ""},
		{"no dimensions", `explain: {max_queries: 5}`, Explain{}, "explain: needs dimensions"},
		{"depth", `dimensions: [country], explain: {max_depth: 4}`, Explain{}, "explain.max_depth: must be 1, 2 or 3, got 4"},
		{"queries", `dimensions: [country], explain: {max_queries: 0}`, Explain{}, "explain.max_queries: must be at least 1"},
		{"share", `dimensions: [country], explain: {min_share: 1.5}`, Explain{}, "explain.min_share: must be above 0 and at most 1"},
		{"unknown key", `dimensions: [country], explain: {max_query: 5}`, Explain{}, `explain.max_query: unknown key; did you mean "max_queries"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"vigil.yaml":   {Data: []byte("sources: {local: {type: duckdb}}\nnotifiers: {out: {type: console}}\n")},
				"rules/m.yaml": {Data: []byte("metrics:\n  - {name: m, table: t, timestamp: ts, value: count(), " + tt.metric + "}\n")},
			}
			cfg, err := LoadFS(fsys, "vigil.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadFS() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFS() error = %v", err)
			}
			if got := cfg.Metrics[0].Explain; got != tt.want {
				t.Errorf("Explain = %+v, want %+v", got, tt.want)
			}
		})
	}
}
