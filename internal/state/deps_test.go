package state

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDeps keeps state a leaf: no other vigil package, and nothing outside
// the standard library but bbolt and what bbolt needs.
func TestDeps(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		gobin = p
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	var sawBolt bool
	for _, dep := range deps {
		switch {
		case dep == "vigil/internal/state":
		case dep == "vigil" || strings.HasPrefix(dep, "vigil/"):
			t.Errorf("state imports %s; it must import no other vigil package", dep)
		case dep == "go.etcd.io/bbolt" || strings.HasPrefix(dep, "go.etcd.io/bbolt/"):
			sawBolt = true
		case strings.HasPrefix(dep, "golang.org/x/sys/"): // bbolt's
		case strings.Contains(strings.Split(dep, "/")[0], "."):
			t.Errorf("state depends on %s; only the standard library and bbolt are allowed", dep)
		}
	}
	if !sawBolt {
		t.Errorf("go list -deps does not list bbolt: %q", deps)
	}
}
