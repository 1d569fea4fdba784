package config

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// allowedDeps are the only packages outside the standard library that
// config may depend on: importing config must stay cheap, so no other vigil
// package, no database driver and no SDK.
var allowedDeps = map[string]bool{
	"go.yaml.in/yaml/v3":        true,
	"github.com/robfig/cron/v3": true,
	"vigil/config":              true,
}

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
	for _, dep := range deps {
		std := !strings.Contains(strings.Split(dep, "/")[0], ".") && !strings.HasPrefix(dep, "vigil")
		if !std && !allowedDeps[dep] {
			t.Errorf("config depends on %s; only the standard library, yaml and cron are allowed", dep)
		}
	}
}
