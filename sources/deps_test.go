package sources

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps drivers out of this package, so that importing it stays
// cheap: they belong to the backend subpackages.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/duckdb/", "github.com/ClickHouse/", "vigil/sources/duckdb", "vigil/sources/clickhouse", "database/sql"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("vigil/sources depends on %s", dep)
			}
		}
	}
}
