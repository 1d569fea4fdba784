package detector

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps detector a leaf: it may import the standard library, gonum
// and vigil/internal/humanize, but no other vigil package, no database
// driver and no network client.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/detector", "...", "vigil/internal/humanize", "gonum.org/v1/gonum/...")
	deptest.Forbid(t, "vigil/detector", "net/http/...", "database/sql/...")
}
