package slack

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the package a leaf: of vigil it may import only the
// notifiers types and humanize, never the engine, detector or sources.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{"vigil/notifiers": true, "vigil/internal/humanize": true, "vigil/notifiers/slack": true}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "vigil/") && !allowed[dep] {
			t.Errorf("notifiers/slack imports %s", dep)
		}
	}
}
