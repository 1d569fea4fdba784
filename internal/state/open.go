package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// openFile opens the bbolt file at path, creating a complete, migrated
// store there first when nothing exists. It never creates, truncates or
// writes an existing file: a file that fails any check is reported and
// left as it was.
// statFile checks that path is a state file to open: an error wrapping
// fs.ErrNotExist when there is none, and one for a folder or an empty file.
// vigil never leaves an empty file behind (create is atomic), so an empty
// one lost its contents: it says so rather than let vigil start afresh.
func statFile(path string) error {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("open state file: %w", err)
	case info.IsDir():
		return fmt.Errorf("state file %s is a directory", path)
	case info.Size() == 0:
		return &CorruptError{Path: path, Reason: "the file is empty (0 bytes), so whatever it held is lost"}
	}
	return nil
}

func openFile(path string, opts Options, migs []migration) (*bolt.DB, error) {
	switch err := statFile(path); {
	case errors.Is(err, fs.ErrNotExist):
		if err := create(path, opts, migs); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	metas, err := inspect(path, opts.Timeout)
	if err != nil {
		return nil, err
	}
	db, err := openBolt(path, opts, false)
	if err != nil {
		return nil, err
	}
	if bad := metas.damaged(); bad >= 0 {
		// bbolt keeps two header copies so that a torn header write (power
		// loss) falls back to the transaction before; say that it happened.
		opts.Logger.Warn("state file header copy is damaged; using the other copy: the last transaction before the damage may be missing",
			"path", path, "page", bad, "txid", metas[1-bad].txid)
	}
	if err := verify(db, path); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// inspect runs preflight on the file while holding its lock.
func inspect(path string, timeout time.Duration) (metaPair, error) {
	f, err := os.Open(path)
	if err != nil {
		return metaPair{}, fmt.Errorf("open state file: %w", err)
	}
	defer f.Close() // releases the lock
	if err := lockFile(f, timeout); err != nil {
		if errors.Is(err, ErrLocked) {
			return metaPair{}, &LockedError{Path: path}
		}
		return metaPair{}, fmt.Errorf("lock state file %s: %w", path, err)
	}
	metas, err := preflight(f)
	if err != nil {
		return metas, &CorruptError{Path: path, Reason: err.Error()}
	}
	return metas, nil
}

// create builds a new store in a temporary file beside path and links it
// into place only once it is complete, so that a crash while creating
// leaves either no state file or a whole one, never an empty or partial
// file that the next start would have to refuse. Linking (not renaming)
// fails if another process created path meanwhile; then that file wins.
func create(path string, opts Options, migs []migration) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".new-*")
	if err != nil {
		return fmt.Errorf("create state file %s: %w", path, err)
	}
	name := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(name)
	db, err := bolt.Open(name, 0o600, &bolt.Options{Timeout: opts.Timeout})
	if err != nil {
		return fmt.Errorf("create state file %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now, log: opts.Logger}
	err = s.migrate(migs)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create state file %s: %w", path, err)
	}
	if err := os.Link(name, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create state file %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// openBolt opens an existing file with bbolt. bbolt reads pages through a
// memory map and trusts what it finds there: a damaged file can make it
// panic, or fault on a page past the end of a truncated file. Both become a
// CorruptError here instead of a crash. readOnly takes bbolt's shared lock
// and refuses every write.
func openBolt(path string, opts Options, readOnly bool) (db *bolt.DB, err error) {
	var file *os.File
	bopts := &bolt.Options{
		Timeout:  opts.Timeout,
		ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag&^os.O_CREATE, perm) // existing files only
			file = f
			return f, err
		},
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				_ = file.Close() // releases the lock too
			}
			db, err = nil, &CorruptError{Path: path, Reason: "reading its pages failed", Err: fmt.Errorf("%v", r)}
		}
	}()
	db, err = bolt.Open(path, 0o600, bopts)
	if err != nil {
		return nil, classify(path, err)
	}
	return db, nil
}

// classify turns an error from bolt.Open into one that tells the operator
// what is wrong with the file and what to do.
func classify(path string, err error) error {
	reason := ""
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return &LockedError{Path: path}
	case errors.Is(err, bolterrors.ErrInvalid):
		reason = "it is not a vigil state file, or both copies of its header are damaged"
	case errors.Is(err, bolterrors.ErrChecksum):
		reason = "both copies of its header fail their checksum"
	case errors.Is(err, bolterrors.ErrVersionMismatch):
		reason = "its header names an unknown bbolt format version"
	case strings.Contains(err.Error(), "file size too small"):
		reason = "it is too short to hold a database (truncated?)"
	default:
		return fmt.Errorf("open state file %s: %w", path, err)
	}
	return &CorruptError{Path: path, Reason: reason, Err: err}
}
