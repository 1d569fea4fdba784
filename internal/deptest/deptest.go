// Package deptest keeps the import graph honest: tests of a package assert
// with it which packages it may depend on (go list -deps), as tailscale's
// deptest does.
package deptest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// List returns the packages pkg depends on, itself included, as go list
// -deps prints them.
func List(t testing.TB, pkg string) []string {
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

// Within fails t for every dependency of pkg outside the standard library
// that is neither pkg itself nor a dependency of base: pkg may use base and
// what base uses, nothing more.
func Within(t testing.TB, pkg, base string) {
	t.Helper()
	allowed := map[string]bool{pkg: true}
	for _, d := range List(t, base) {
		allowed[d] = true
	}
	for _, dep := range List(t, pkg) {
		std := !strings.HasPrefix(dep, "vigil/") && !strings.Contains(strings.Split(dep, "/")[0], ".")
		if !std && !allowed[dep] {
			t.Errorf("%s depends on %s; only the standard library, %s and its dependencies are allowed", pkg, dep, base)
		}
	}
}
