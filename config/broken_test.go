package config

import (
	"strings"
	"testing"
)

// TestLoadBroken loads a config and rules folder full of mistakes and
// compares the whole listing, every problem at once, with a golden file.
func TestLoadBroken(t *testing.T) {
	setSecrets(t)
	unsetenv(t, "VIGIL_BROKEN_DSN")
	unsetenv(t, "VIGIL_BROKEN_MIN_DELTA")
	cfg, err := Load("testdata/broken/vigil.yaml")
	if cfg != nil {
		t.Fatal("Load(broken) returned a config")
	}
	errs := errorList(t, err)
	golden(t, "testdata/broken/errors.golden", err.Error()+"\n")
	// Each kind of mistake the file holds must be among the problems.
	for _, want := range []string{
		"unknown key", "want a whole number", "duplicate metric name", "unknown source",
		"unknown notifier", "invalid cron expression", "invalid duration", "is not set",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem mentions %q", want)
		}
	}
	if len(errs) < 15 {
		t.Errorf("Load(broken) reported %d problems, want every one of at least 15", len(errs))
	}
}
