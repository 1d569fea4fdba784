//go:build !unix

package state

import (
	"os"
	"time"
)

// lockFile does nothing where flock does not exist; bolt.Open still takes
// its own lock, and reports another holder.
func lockFile(*os.File, time.Duration) error { return nil }
