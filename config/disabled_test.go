package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestNotifierDisabledByEmptyVariable checks that a secret taken from an
// unset variable with an empty default switches the notifier off, while an
// empty secret written in the file is still an error.
func TestNotifierDisabledByEmptyVariable(t *testing.T) {
	unsetenv(t, "VIGIL_TEST_UNSET_SECRET")
	tests := []struct {
		name     string
		notifier string
		wantErr  string // empty: loads, and the notifier is disabled
	}{
		{"slack from empty variable", `{type: slack, channel: "#a", token: "${VIGIL_TEST_UNSET_SECRET:-}"}`, ""},
		{"webhook from empty variable", `{type: webhook, url: "${VIGIL_TEST_UNSET_SECRET:-}"}`, ""},
		{"slack token written empty", `{type: slack, channel: "#a", token: ""}`, "token: empty"},
		{"webhook url written empty", `{type: webhook, url: ""}`, "url: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"vigil.yaml":   {Data: []byte("sources: {local: {type: duckdb}}\nnotifiers:\n  out: {type: console}\n  n: " + tt.notifier + "\n")},
				"rules/m.yaml": {Data: []byte("metrics:\n  - {name: m, table: t, timestamp: ts, value: count(), notify: [out]}\n")},
			}
			cfg, err := LoadFS(fsys, "vigil.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadFS() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFS() error = %v, want none", err)
			}
			if n := cfg.Notifiers["n"]; !n.Disabled {
				t.Errorf("notifier n: Disabled = false, want true")
			}
			if cfg.Notifiers["out"].Disabled {
				t.Errorf("notifier out: Disabled = true, want false")
			}
		})
	}
}
