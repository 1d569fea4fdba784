package explain_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestDeps keeps the package's import graph to what it may use: the
// standard library, vigil/detector, vigil/internal/humanize and gonum. Above
// all no source, driver or notifier: explain only declares the Fetcher.
func TestDeps(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := func(p string) bool {
		switch p {
		case "vigil/detector", "vigil/detector/explain", "vigil/internal/humanize":
			return true
		}
		// gonum's optimiser (used by detector) brings x/tools' intsets.
		return strings.HasPrefix(p, "gonum.org/v1/gonum/") || p == "golang.org/x/tools/container/intsets"
	}
	deps := strings.Fields(string(out))
	for _, p := range deps {
		if !allowed(p) {
			t.Errorf("vigil/detector/explain depends on %s", p)
		}
	}
	if !slices.Contains(deps, "vigil/detector") {
		t.Errorf("go list -deps = %v, want vigil/detector among them", deps)
	}
}
