package config

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestSchemaTableMatchesDecoder keeps the schema's table and the decoder's
// field lists in step: the same keys at every level.
func TestSchemaTableMatchesDecoder(t *testing.T) {
	tests := []struct {
		name string
		doc  []keyDoc
		dec  fields
	}{
		{"sources", sourceDoc, sourceFields(&Source{})},
		{"tls", tlsDoc, tlsFields(&TLS{})},
		{"notifiers", notifierDoc, notifierFields(&Notifier{})},
		{"defaults", defaultsDoc, defaultsFields(&Defaults{})},
		{"detect", detectDoc, detectFields(&Detect{})},
		{"exclude", excludeDoc, excludeFields(&Exclude{})},
		{"metric", metricDoc, metricFields(&rawMetric{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc []string
			for _, k := range tt.doc {
				doc = append(doc, k.key)
			}
			slices.Sort(doc)
			dec := slices.Sorted(maps.Keys(tt.dec))
			if !slices.Equal(doc, dec) {
				t.Errorf("schema table keys %v\ndecoder keys      %v", doc, dec)
			}
		})
	}
}

func compileSchema(t *testing.T, which string) *jsonschema.Schema {
	t.Helper()
	data, err := JSONSchema(which)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	id := ConfigSchemaID
	if which == "rules" {
		id = RulesSchemaID
	}
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile the %s schema: %v", which, err)
	}
	return s
}

// validateYAML checks a YAML document against s, as an editor would.
func validateYAML(t *testing.T, s *jsonschema.Schema, src []byte) error {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatalf("YAML: %v", err)
	}
	if v == nil {
		v = map[string]any{}
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("to JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst)
}

// TestSchemaAcceptsGoodConfigs validates every good config of the tests
// and of deploy/examples, and every rules file they read, against the
// schema; each also loads.
func TestSchemaAcceptsGoodConfigs(t *testing.T) {
	setSecrets(t)
	cfgSchema, rulesSchema := compileSchema(t, "config"), compileSchema(t, "rules")
	configs, _ := filepath.Glob("testdata/good/*.good.yaml")
	configs = append(configs, "../deploy/examples/vigil.yaml")
	for _, path := range configs {
		t.Run(path, func(t *testing.T) {
			cfg, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			src, _ := os.ReadFile(path)
			if err := validateYAML(t, cfgSchema, src); err != nil {
				t.Errorf("config schema rejects %s: %v", path, err)
			}
			var fsys osFiles
			rules, err := fsys.YAMLFiles(cfg.RulesDir)
			if err != nil || len(rules) == 0 {
				t.Fatalf("rules of %s: %v, %d files", path, err, len(rules))
			}
			for _, r := range rules {
				if fsys.Same(r, path) {
					continue
				}
				src, _ := os.ReadFile(r)
				if err := validateYAML(t, rulesSchema, src); err != nil {
					t.Errorf("rules schema rejects %s: %v", r, err)
				}
			}
		})
	}
}

// TestSchemaRejectsBrokenConfigs checks that what the loader refuses for
// its shape (unknown key, wrong type, bad enum) the schema refuses too.
func TestSchemaRejectsBrokenConfigs(t *testing.T) {
	cfgSchema, rulesSchema := compileSchema(t, "config"), compileSchema(t, "rules")
	const base = "sources: {db: {type: duckdb}}\nnotifiers: {out: {type: console}}\nrules: rules\n"
	const rule = "metrics:\n  - name: orders\n    table: t\n    timestamp: ts\n    value: count()\n"
	tests := []struct {
		name, config, rules string
	}{
		{"good", base, rule},
		{"unknown top key", base + "colour: blue\n", rule},
		{"unknown source key", "sources: {db: {type: duckdb, max_concurency: 2}}\nnotifiers: {out: {type: console}}\nrules: rules\n", rule},
		{"bad source type", "sources: {db: {type: postgres}}\nnotifiers: {out: {type: console}}\nrules: rules\n", rule},
		{"wrong type: concurrency", "sources: {db: {type: duckdb, max_concurrency: lots}}\nnotifiers: {out: {type: console}}\nrules: rules\n", rule},
		{"bad duration in defaults", base + "defaults: {delay: 1.5h}\n", rule},
		{"unknown metric key", base, rule + "    colour: blue\n"},
		{"bad sensitivity", base, rule + "    detect: {sensitivity: extreme}\n"},
		{"wrong type: dimensions", base, rule + "    dimensions: country\n"},
		{"wrong type: demo", "sources: {db: {type: duckdb, demo: maybe}}\nnotifiers: {out: {type: console}}\nrules: rules\n", rule},
		{"bad fill", base, rule + "    fill: nothing\n"},
		{"unknown detect key", base, rule + "    detect: {method: seasonal, histroy: 8w}\n"},
		{"bad seasonality list", base, rule + "    detect: {seasonality: [hourly]}\n"},
		{"rules as a list", base, "- name: orders\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
				t.Fatal(err)
			}
			cfgPath := filepath.Join(dir, "vigil.yaml")
			os.WriteFile(cfgPath, []byte(tt.config), 0o644)
			os.WriteFile(filepath.Join(dir, "rules", "r.yaml"), []byte(tt.rules), 0o644)
			_, loadErr := Load(cfgPath)
			schemaErr := validateYAML(t, cfgSchema, []byte(tt.config))
			if schemaErr == nil {
				schemaErr = validateYAML(t, rulesSchema, []byte(tt.rules))
			}
			good := tt.name == "good"
			if (loadErr == nil) != good || (schemaErr == nil) != good {
				t.Errorf("load error %v\nschema error %v\nwant both %s", loadErr, schemaErr, map[bool]string{true: "nil", false: "set"}[good])
			}
		})
	}
}

func TestJSONSchemaUnknown(t *testing.T) {
	if _, err := JSONSchema("state"); err == nil || !strings.Contains(err.Error(), "want config or rules") {
		t.Errorf("JSONSchema(state) error = %v", err)
	}
}
