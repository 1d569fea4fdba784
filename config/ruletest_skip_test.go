package config

import (
	"testing"
	"testing/fstest"
)

// TestRuleTestFilesSkipped checks that rule unit tests beside the rules
// (orders_test.yaml) are not read as rules, while orders.yaml is.
func TestRuleTestFilesSkipped(t *testing.T) {
	fsys := fstest.MapFS{
		"vigil.yaml":        {Data: []byte("sources: {db: {type: duckdb}}\nnotifiers: {out: {type: console}}\nrules: rules\n")},
		"rules/orders.yaml": {Data: []byte("metrics:\n  - {name: orders, table: t, timestamp: ts, value: count()}\n")},
		// Not a rules file at all: loading it as one would fail.
		"rules/orders_test.yaml":   {Data: []byte("config: ../vigil.yaml\ntests: []\n")},
		"rules/sub/other_test.yml": {Data: []byte("tests: [{name: x}]\n")},
		"rules/sub/contest.yaml":   {Data: []byte("metrics:\n  - {name: contest, table: t, timestamp: ts, value: count()}\n")},
	}
	cfg, err := LoadFS(fsys, "vigil.yaml")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	var got []string
	for _, m := range cfg.Metrics {
		got = append(got, m.Name)
	}
	if len(got) != 2 || got[0] != "orders" || got[1] != "contest" {
		t.Errorf("metrics = %v, want [orders contest]", got)
	}
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"rules/orders_test.yaml", true},
		{"rules/ORDERS_TEST.YML", true},
		{"rules/contest.yaml", false},
		{"rules/test.yaml", false},
		{"rules/orders_test.yaml.bak", false},
	} {
		if got := isRuleTest(tt.name); got != tt.want {
			t.Errorf("isRuleTest(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
