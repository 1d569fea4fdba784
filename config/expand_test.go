package config

import (
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	env := map[string]string{"HOST": "db.internal", "EMPTY": "", "TOKEN": "xoxb-1"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name string
		in   string
		want string
		used []string
		err  string
	}{
		{"plain", "no variables", "no variables", nil, ""},
		{"variable", "clickhouse://${HOST}:9000", "clickhouse://db.internal:9000", []string{"db.internal"}, ""},
		{"two variables", "${HOST}/${TOKEN}", "db.internal/xoxb-1", []string{"db.internal", "xoxb-1"}, ""},
		{"default used", "${MISSING:-fallback}", "fallback", nil, ""},
		{"default unused", "${HOST:-fallback}", "db.internal", []string{"db.internal"}, ""},
		{"empty default", "a${MISSING:-}b", "ab", nil, ""},
		{"empty value takes default", "${EMPTY:-x}", "x", nil, ""},
		{"empty value without default", "[${EMPTY}]", "[]", []string{""}, ""},
		{"default with symbols", "${MISSING:-a:b-c d}", "a:b-c d", nil, ""},
		{"dollar dollar", "price $$5", "price $5", nil, ""},
		{"escaped reference", "$${HOST}", "${HOST}", nil, ""},
		{"lone dollar", "a$b and end$", "a$b and end$", nil, ""},
		{"regex end", "'^a$'", "'^a$'", nil, ""},
		{"no yaml injection", "${INJECT:-a}\nb: c", "a\nb: c", nil, ""},
		{"unset", "${MISSING}", "", nil, "environment variable MISSING is not set; set it, or give a default with ${MISSING:-value}"},
		{"two unset", "${A1}${B2}", "", nil, "environment variables A1, B2 are not set"},
		{"unterminated", "x${HOST", "", nil, `unterminated "${HOST"`},
		{"empty name", "${}", "", nil, "invalid environment variable name"},
		{"bad name", "${1X}", "", nil, `invalid environment variable name "1X"`},
		{"other operator", "${HOST:?oops}", "", nil, "unsupported form ${HOST:?oops}; write ${HOST} or ${HOST:-default}"},
		{"dash without colon", "${HOST-x}", "", nil, "unsupported form ${HOST-x}; write ${HOST:-x} for a default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expand(tt.in, lookup)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("expand(%q) error %v", tt.in, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("expand(%q) = %q, %v; want error containing %q", tt.in, got.value, err, tt.err)
			case got.value != tt.want || !slices.Equal(got.used, tt.used):
				t.Errorf("expand(%q) = %q using %q, want %q using %q", tt.in, got.value, got.used, tt.want, tt.used)
			}
		})
	}
}

// TestExpandPerScalar checks that a variable's value stays one string
// value: it cannot add keys, lists or documents to the YAML.
func TestExpandPerScalar(t *testing.T) {
	setSecrets(t)
	t.Setenv("VIGIL_TEST_INJECT", "x\nsql: SELECT 1\n- evil: true")
	t.Setenv("VIGIL_TEST_SOURCE", "db")
	fsys := mapFS("sources: {db: {type: duckdb}}\nnotifiers: {o: {type: console}}\n",
		"metrics:\n  - name: m\n    source: ${VIGIL_TEST_SOURCE}\n    table: t\n    timestamp: ts\n    value: count()\n    description: ${VIGIL_TEST_INJECT}\n")
	cfg, err := LoadFS(fsys, "vigil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Metrics[0]
	if m.Description != "x\nsql: SELECT 1\n- evil: true" || m.SQL != "" || m.Source != "db" {
		t.Errorf("metric = %+v, want the variable's text as the description only", m)
	}
}
