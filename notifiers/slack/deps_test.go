package slack

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps the package a leaf: of vigil it may import only the
// notifiers types and humanize, never the engine, detector or sources.
func TestDeps(t *testing.T) {
	deptest.Only(t, "vigil/notifiers/slack", "vigil/...", "vigil/notifiers", "vigil/internal/humanize")
}
