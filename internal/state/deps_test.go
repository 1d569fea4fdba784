package state

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps state a leaf: no other vigil package, and nothing outside
// the standard library but bbolt and what bbolt needs.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/internal/state", "...", "go.etcd.io/bbolt/...", "golang.org/x/sys/...")
}
