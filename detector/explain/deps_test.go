package explain_test

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps the package's import graph to what it may use: the
// standard library, vigil/detector, vigil/internal/humanize and gonum. Above
// all no source, driver or notifier: explain only declares the Fetcher.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/detector/explain", "...", "vigil/detector", "vigil/internal/humanize", "gonum.org/v1/gonum/...")
}
