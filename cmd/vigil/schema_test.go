package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSchemaCommand(t *testing.T) {
	for _, which := range []string{"config", "rules"} {
		out, errOut, code := vigil(t, t.TempDir(), "schema", which)
		var doc map[string]any
		if code != exitOK || errOut != "" || json.Unmarshal([]byte(out), &doc) != nil {
			t.Fatalf("vigil schema %s = %d, stderr %q; want 0 and JSON:\n%.200s", which, code, errOut, out)
		}
		if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || doc["additionalProperties"] != false {
			t.Errorf("vigil schema %s: $schema %v, additionalProperties %v", which, doc["$schema"], doc["additionalProperties"])
		}
	}
	for _, args := range [][]string{{"schema"}, {"schema", "state"}} {
		_, errOut, code := vigil(t, t.TempDir(), args...)
		if code != exitConfig || !strings.Contains(errOut, "config") {
			t.Errorf("vigil %v = %d, %q; want 1 and a hint", args, code, errOut)
		}
	}
}
