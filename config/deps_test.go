package config

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps importing config cheap: outside the standard library it
// may use yaml and cron only, so no other vigil package, no database driver
// and no SDK.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/config", "...", "go.yaml.in/yaml/v3", "github.com/robfig/cron/v3")
}
