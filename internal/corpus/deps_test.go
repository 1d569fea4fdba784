package corpus

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps the corpus pure: the standard library, detector, backtest
// and what they depend on.
func TestDeps(t *testing.T) {
	deptest.Within(t, "vigil/internal/corpus", "vigil/internal/backtest")
}
