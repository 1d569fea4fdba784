package ops_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// allowedModules are the module path prefixes internal/ops may depend on
// besides the standard library: the Prometheus client and what it brings.
var allowedModules = []string{
	"github.com/prometheus/",
	"github.com/beorn7/perks/",
	"github.com/cespare/xxhash/",
	"github.com/munnerz/goautoneg",
	"google.golang.org/protobuf/",
	"golang.org/x/sys/",
}

// TestDeps keeps ops a leaf: the engine and the binary import it, so it
// must import no other vigil package (that would be a cycle waiting to
// happen) and no driver or SDK.
func TestDeps(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/prometheus/client_golang/prometheus") {
		t.Fatalf("go list -deps = %v, want the Prometheus client among them", deps)
	}
	for _, p := range deps {
		if p == "vigil/internal/ops" {
			continue
		}
		if p == "vigil" || strings.HasPrefix(p, "vigil/") {
			t.Errorf("vigil/internal/ops imports %s; it must import no other vigil package", p)
			continue
		}
		if !slices.ContainsFunc(allowedModules, func(m string) bool { return strings.HasPrefix(p, m) }) {
			t.Errorf("vigil/internal/ops depends on %s, outside the Prometheus client's modules", p)
		}
	}
}
