package detector

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDetectorDeps keeps detector a leaf: it may import the standard library, gonum
// and vigil/internal/humanize, but no other vigil package, no database
// driver and no network client.
func TestDetectorDeps(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go tool not in PATH: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "vigil/detector").Output()
	if err != nil {
		t.Fatalf("go list -deps vigil/detector: %v", err)
	}
	forbidden := []string{"net/http", "database/sql", "github.com/ClickHouse/", "github.com/duckdb/", "github.com/slack-go/"}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "vigil/") && pkg != "vigil/detector" && pkg != "vigil/internal/humanize" {
			t.Errorf("vigil/detector depends on %s, want no other vigil package", pkg)
		}
		for _, f := range forbidden {
			if pkg == strings.TrimSuffix(f, "/") || strings.HasPrefix(pkg, f) {
				t.Errorf("vigil/detector depends on %s, want no drivers or network clients", pkg)
			}
		}
	}
}
