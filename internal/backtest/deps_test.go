package backtest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDeps keeps backtest pure: it may depend on the standard library, the
// detector package and what detector depends on, never on the engine,
// sources, notifiers or a driver.
func TestDeps(t *testing.T) {
	allowed := map[string]bool{"vigil/internal/backtest": true}
	for _, d := range goListDeps(t, "vigil/detector") {
		allowed[d] = true
	}
	for _, dep := range goListDeps(t, ".") {
		std := !strings.HasPrefix(dep, "vigil/") && !strings.Contains(strings.Split(dep, "/")[0], ".")
		if !std && !allowed[dep] {
			t.Errorf("backtest depends on %s; only the standard library, detector and its dependencies are allowed", dep)
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
