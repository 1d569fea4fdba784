package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"vigil/notifiers"
	"vigil/notifiers/slack/slacktest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// payload is a message as chat.postMessage receives it.
type payload struct {
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks"`
	Metadata json.RawMessage `json:"metadata"`
}

func encode(t *testing.T, m Message) (payload, string, string) {
	t.Helper()
	blocks, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatalf("marshal blocks: %v", err)
	}
	md, err := json.Marshal(m.Metadata)
	if err != nil {
		t.Fatalf("marshal metadata: %v", err)
	}
	return payload{m.Text, blocks, md}, string(blocks), string(md)
}

func testRenderer() renderer {
	return renderer{
		mentions:   map[string]string{"@growth-oncall": "S0GROWTH", "@finance": "U0FINANCE"},
		configPath: "deploy/vigil.yaml", chart: ChartNative,
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name  string
		alert notifiers.Alert
		reply bool
	}{
		{"drop", dropAlert(), false},
		{"rise", riseAlert(), false},
		{"ratio", ratioAlert(), false},
		{"freshness", freshnessAlert(), false},
		{"resolved", resolvedAlert(), false},
		{"long_names", longAlert(), false},
		{"reply_firing", dropAlert(), true},
		{"reply_resolved", resolvedAlert(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRenderer()
			m := r.message(tt.alert)
			if tt.reply {
				m = r.reply(tt.alert)
			}
			p, blocks, md := encode(t, m)
			if err := slacktest.Validate(p.Text, blocks, md); err != nil {
				t.Errorf("message breaks Slack's limits:\n%v", err)
			}
			golden(t, filepath.Join("testdata", tt.name+".golden.json"), indent(t, p))
		})
	}
}

// indent is v as indented JSON, with <, > and & as they are.
func indent(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./notifiers/slack -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", path, got)
	}
}
