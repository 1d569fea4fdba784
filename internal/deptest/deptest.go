// Package deptest keeps the import graph honest: tests of a package assert
// with it which packages it may depend on (go list -deps), as tailscale's
// deptest does.
//
// Packages are named by import path ("vigil/detector", not "."). Rules take
// patterns in go list's style: an import path matches itself, a path ending
// in "/..." matches that path and every path below it, and "..." matches
// every path.
package deptest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// dep is one package in pkg's dependency listing.
type dep struct {
	path string
	std  bool // in the standard library
}

// deps lists pkg and everything it depends on, failing t when go list
// fails or lists implausibly little. It runs the go tool from PATH, or the
// one of the running toolchain when PATH has none, so it never skips.
func deps(t testing.TB, pkg string) []dep {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		gobin = p
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}}{{if .Standard}} std{{end}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var ds []dep
	var paths []string
	for line := range strings.Lines(string(out)) {
		path, std := strings.CutSuffix(strings.TrimSpace(line), " std")
		ds = append(ds, dep{path, std})
		paths = append(paths, path)
	}
	if len(ds) < 10 || ds[len(ds)-1].path != pkg {
		t.Fatalf("go list -deps %s listed %q; want %s last, after at least nine dependencies", pkg, paths, pkg)
	}
	return ds
}

// List returns the packages pkg depends on, itself included, as go list
// -deps prints them.
func List(t testing.TB, pkg string) []string {
	t.Helper()
	var paths []string
	for _, d := range deps(t, pkg) {
		paths = append(paths, d.path)
	}
	return paths
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
	for _, d := range deps(t, pkg) {
		if !d.std && !allowed[d.path] {
			t.Errorf("%s depends on %s; only the standard library, %s and its dependencies are allowed", pkg, d.path, base)
		}
	}
}

// Only fails t for every dependency of pkg outside the standard library that
// matches scope but is neither pkg itself nor matched by one of allowed, and
// for every pattern in allowed that matches no dependency, so that the list
// stays exact. With scope "..." it bounds every module pkg may pull in; with
// scope "vigil/..." only which vigil packages it may import.
func Only(t testing.TB, pkg, scope string, allowed ...string) {
	t.Helper()
	where := "of " + scope
	if scope == "..." {
		where = "outside the standard library"
	}
	used := make([]bool, len(allowed))
	for _, d := range deps(t, pkg) {
		if d.std || d.path == pkg || !match(scope, d.path) {
			continue
		}
		ok := false
		for i, a := range allowed {
			if match(a, d.path) {
				used[i], ok = true, true
			}
		}
		if !ok {
			t.Errorf("%s depends on %s; %s only %q are allowed", pkg, d.path, where, allowed)
		}
	}
	for i, a := range allowed {
		if !used[i] {
			t.Errorf("%s does not depend on %s; drop it from the allowed list", pkg, a)
		}
	}
}

// Forbid fails t for every dependency of pkg, the standard library and pkg
// itself included, that matches one of patterns: the drivers, SDKs and
// network clients pkg must never pull in.
func Forbid(t testing.TB, pkg string, patterns ...string) {
	t.Helper()
	for _, d := range deps(t, pkg) {
		for _, p := range patterns {
			if match(p, d.path) {
				t.Errorf("%s depends on %s, which is forbidden (%s)", pkg, d.path, p)
			}
		}
	}
}

// match reports whether path matches pattern (see the package comment).
func match(pattern, path string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == prefix || strings.HasPrefix(path, prefix+"/")
	}
	return pattern == "..." || pattern == path
}
