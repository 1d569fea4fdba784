package state

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrLocked means another process holds the state file open.
	ErrLocked = errors.New("state file is in use by another process")
	// ErrCorrupt means the state file is damaged or not a vigil state file.
	ErrCorrupt = errors.New("state file is damaged")
	// ErrNewerSchema means the state file was written by a newer vigil.
	ErrNewerSchema = errors.New("state file has a newer schema")
	// ErrNotFound means a record to change does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a change would break an invariant of the store,
	// such as two unresolved incidents for one series.
	ErrConflict = errors.New("conflict")
)

// LockedError reports that another process holds the state file.
type LockedError struct {
	Path string
}

// Error says who holds the file and what to do.
func (e *LockedError) Error() string {
	return fmt.Sprintf("state file %s is in use by another process (another vigil running?); stop it or point this one at another state file", e.Path)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// CorruptError reports a state file that cannot be read safely. The file
// is left exactly as it was found.
type CorruptError struct {
	Path   string
	Reason string
	Err    error // the underlying error, if any
}

// Error names the file, the damage, and what to do about it.
func (e *CorruptError) Error() string {
	msg := fmt.Sprintf("state file %s is damaged: %s", e.Path, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + fmt.Sprintf("; it was left untouched: move it aside (mv %s %s.damaged) to start with an empty state, or restore it from a backup", e.Path, e.Path)
}

// Unwrap returns the underlying error.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// NewerSchemaError reports a state file written by a newer vigil.
type NewerSchemaError struct {
	Path          string
	Found, Latest int
}

// Error names both versions and what to do.
func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("state file %s has schema version %d, but this vigil knows versions up to %d: it was written by a newer vigil; run that version, or restore a backup made for this one (the file was left untouched)", e.Path, e.Found, e.Latest)
}

// Is makes errors.Is(err, ErrNewerSchema) true.
func (e *NewerSchemaError) Is(target error) bool { return target == ErrNewerSchema }
