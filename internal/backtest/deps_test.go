package backtest

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps backtest pure: it may depend on the standard library, the
// detector package and what detector depends on, never on the engine,
// sources, notifiers or a driver.
func TestDeps(t *testing.T) {
	deptest.Within(t, "vigil/internal/backtest", "vigil/detector")
}
