package ops_test

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps ops a leaf: the engine and the binary import it, so it
// must import no other vigil package (that would be a cycle waiting to
// happen) and no driver or SDK; outside the standard library only the
// Prometheus client and the modules it brings.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/internal/ops", "...",
		"github.com/prometheus/client_golang/...",
		"github.com/prometheus/client_model/...",
		"github.com/prometheus/common/...",
		"github.com/prometheus/procfs/...",
		"github.com/beorn7/perks/...",
		"github.com/cespare/xxhash/...",
		"github.com/munnerz/goautoneg",
		"google.golang.org/protobuf/...",
		"golang.org/x/sys/...",
	)
}
