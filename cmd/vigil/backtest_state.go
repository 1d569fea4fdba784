package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"vigil/internal/state"
)

// replayState is the private copy of the daemon's state that a replay
// reads: its feedback for the report, and its incidents and feedback for
// the baselines, which the daemon keeps them out of (detect.exclude). The
// copy is made from the state file, opened read-only for as long as the
// copy takes, or, while a daemon holds that file, from the snapshot the
// daemon keeps beside it. The replay never holds or writes the state file.
type replayState struct {
	path string // the config's state file
	dir  string // the temporary folder of the copy
	// store is the copy, open for the replay; nil when none was made.
	store *state.Store
	// err is why the state file could not be read (nil when it was):
	// errors.Is ErrLocked while a daemon holds it.
	err error
	// snapshot is the daemon's snapshot the copy was made from, "" when it
	// was made from the state file; asOf is when the daemon wrote it.
	snapshot string
	asOf     time.Time
	// snapErr is why the snapshot could not be read, when it was tried.
	snapErr error
}

// openReplayState copies the state file at path, or its snapshot while a
// daemon holds it, into a temporary folder and opens the copy. It waits
// up to wait for the state file's lock. Close removes the copy.
func openReplayState(path string, wait time.Duration) *replayState {
	st := &replayState{path: path}
	dir, err := os.MkdirTemp("", "vigil-backtest-")
	if err != nil {
		st.err = fmt.Errorf("copy the state file: %w", err)
		return st
	}
	st.dir = dir
	copyPath := filepath.Join(dir, "state.db")
	st.err = copyState(path, copyPath, wait)
	if errors.Is(st.err, state.ErrLocked) {
		st.fromSnapshot(copyPath)
	}
	if st.err != nil && st.snapshot == "" {
		st.Close()
		return st
	}
	// The copy is the replay's own: Open may bring an older schema up to
	// date in it, and nothing else writes it.
	s, err := state.Open(copyPath, state.Options{Timeout: wait})
	if err != nil {
		st.err, st.snapshot = fmt.Errorf("open the copy of %s: %w", path, err), ""
		st.Close()
		return st
	}
	st.store = s
	return st
}

// fromSnapshot copies the daemon's snapshot to copyPath.
func (st *replayState) fromSnapshot(copyPath string) {
	snap := state.SnapshotPath(st.path)
	// The time is read before the copy: a snapshot the daemon replaces
	// meanwhile is newer than it says, never older.
	info, err := os.Stat(snap)
	if err == nil {
		err = copyState(snap, copyPath, time.Second)
	}
	if err != nil {
		st.snapErr = err
		return
	}
	st.snapshot, st.asOf = snap, info.ModTime()
}

// copyState writes a consistent copy of the state file at src to dst.
func copyState(src, dst string, wait time.Duration) error {
	s, err := state.OpenReadOnly(src, state.Options{Timeout: wait, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	_, err = s.CopyTo(dst)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the copy and removes it.
func (st *replayState) Close() {
	if st.store != nil {
		_ = st.store.Close()
		st.store = nil
	}
	if st.dir != "" {
		_ = os.RemoveAll(st.dir)
		st.dir = ""
	}
}

// read reports whether the replay has a copy of the state to read.
func (st *replayState) read() bool { return st.store != nil }

// snapshotNote says, when the copy is the daemon's snapshot, how old it is:
// "as of 14:05:12, 40 s ago, from the daemon's snapshot vigil-state.db.snapshot".
func (st *replayState) snapshotNote(now time.Time) string {
	if st.snapshot == "" {
		return ""
	}
	return fmt.Sprintf("as of %s, %s ago, from the daemon's snapshot %s", clock(st.asOf, now), ago(now.Sub(st.asOf)), st.snapshot)
}

// snapshotProblem says why the snapshot was not read either, "" when there
// is none or it was read.
func (st *replayState) snapshotProblem() string {
	if st.snapErr == nil || errors.Is(st.snapErr, fs.ErrNotExist) {
		return ""
	}
	return fmt.Sprintf("; its snapshot %s could not be read either: %v", state.SnapshotPath(st.path), st.snapErr)
}

// clock formats t as a time of day in the local zone, with the date
// when it is not the day of now.
func clock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format(time.TimeOnly)
	}
	return t.Format(time.DateTime)
}

// ago formats an age in the unit a reader expects: 40 s, 12 min, 3 h,
// 2 days.
func ago(d time.Duration) string {
	switch d = max(d, 0); {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}
