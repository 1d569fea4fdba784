package engine

import (
	"testing"

	"vigil/sources"
)

// TestWrappersKeepCapabilities checks that the engine's source wrappers
// (Retry outside Limit, as Build stacks them) still offer what explanations
// and completeness checks look for on the source they wrap.
func TestWrappersKeepCapabilities(t *testing.T) {
	src := Retry(Limit(&fakeSource{}, 1), "fake", nil)
	if _, ok := src.(sources.Breakdowner); !ok {
		t.Errorf("Retry(Limit(src)) is not a sources.Breakdowner")
	}
	if _, ok := src.(sources.ArrivalSource); !ok {
		t.Errorf("Retry(Limit(src)) is not a sources.ArrivalSource")
	}
	if _, ok := src.(renderer); !ok {
		t.Errorf("Retry(Limit(src)) is not a renderer")
	}
}
