package corpus

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDeps keeps the corpus pure: the standard library, detector, backtest
// and what they depend on.
func TestDeps(t *testing.T) {
	allowed := map[string]bool{"vigil/internal/corpus": true}
	for _, d := range goListDeps(t, "vigil/internal/backtest") {
		allowed[d] = true
	}
	for _, dep := range goListDeps(t, ".") {
		std := !strings.HasPrefix(dep, "vigil/") && !strings.Contains(strings.Split(dep, "/")[0], ".")
		if !std && !allowed[dep] {
			t.Errorf("corpus depends on %s; only the standard library, detector, backtest and their dependencies are allowed", dep)
		}
	}
}

func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		gobin = p
	}
	out, err := exec.Command(gobin, "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps %s listed only %q", pkg, deps)
	}
	return deps
}
