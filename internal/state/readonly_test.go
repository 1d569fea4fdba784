package state

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenReadOnlyReads reads back what a daemon's store recorded and
// leaves the file exactly as it was; writes are refused.
func TestOpenReadOnlyReads(t *testing.T) {
	s := newStore(t)
	fb := Feedback{Rule: "orders", Start: t0, End: t0.Add(2 * time.Hour), Kind: NotAnomaly, By: "ana", At: t0}
	must(t, s.AddFeedback(fb))
	path := s.Path()
	must(t, s.Close())
	before := fileHash(t, path)

	r, err := OpenReadOnly(path, testOptions())
	if err != nil {
		t.Fatalf("OpenReadOnly = %v", err)
	}
	got, err := r.Feedback("orders", t0, t0.Add(time.Hour))
	if err != nil || len(got) != 1 || got[0].Kind != NotAnomaly || !got[0].End.Equal(fb.End) {
		t.Errorf("Feedback = %+v, %v, want the one record %+v", got, err, fb)
	}
	if err := r.AddFeedback(fb); err == nil {
		t.Errorf("AddFeedback on a read-only store succeeded")
	}
	// Readers share the file.
	r2, err := OpenReadOnly(path, testOptions())
	if err != nil {
		t.Fatalf("second OpenReadOnly = %v", err)
	}
	must(t, r2.Close())
	must(t, r.Close())
	if after := fileHash(t, path); after != before {
		t.Errorf("OpenReadOnly changed the file: %s, was %s", after, before)
	}
}

// TestOpenReadOnlyLocked is the daemon's case: the writer holds the file,
// and the reader gives up after its timeout rather than waiting for ever.
// A reader holds the file against a writer in turn.
func TestOpenReadOnlyLocked(t *testing.T) {
	s := newStore(t)
	opts := testOptions()
	opts.Timeout = 100 * time.Millisecond
	_, err := OpenReadOnly(s.Path(), opts)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.Path != s.Path() {
		t.Fatalf("OpenReadOnly(held by a writer) = %v, want a LockedError", err)
	}
	must(t, s.SetLastJudged("orders", t0)) // the writer is unharmed
	must(t, s.Close())

	r, err := OpenReadOnly(s.Path(), opts)
	if err != nil {
		t.Fatalf("OpenReadOnly after the writer closed = %v", err)
	}
	defer r.Close()
	if _, err := Open(s.Path(), opts); !errors.Is(err, ErrLocked) {
		t.Errorf("Open while a reader holds the file = %v, want ErrLocked", err)
	}
}

// TestOpenReadOnlyOlderSchema reads a file of the previous schema as it
// is, without migrating it: a backtest may run before the daemon of a new
// version has upgraded the file.
func TestOpenReadOnlyOlderSchema(t *testing.T) {
	s := newStore(t)
	must(t, s.Close())
	setVersion(t, s.Path(), uint64(SchemaVersion()-1))
	before := fileHash(t, s.Path())
	r, err := OpenReadOnly(s.Path(), testOptions())
	if err != nil {
		t.Fatalf("OpenReadOnly on schema %d = %v", SchemaVersion()-1, err)
	}
	must(t, r.Close())
	if fileHash(t, s.Path()) != before {
		t.Errorf("OpenReadOnly changed the file")
	}
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T) string // returns the path
		is   error
		want string
	}{
		{"missing file", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "state.db")
		}, fs.ErrNotExist, "state.db"},
		{"empty file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "state.db")
			must(t, os.WriteFile(p, nil, 0o600))
			return p
		}, ErrCorrupt, "empty"},
		{"not a state file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "state.db")
			must(t, os.WriteFile(p, garbage(64<<10), 0o600))
			return p
		}, ErrCorrupt, "not a vigil state file"},
		{"newer schema", func(t *testing.T) string {
			s := newStore(t)
			must(t, s.Close())
			setVersion(t, s.Path(), uint64(SchemaVersion()+1))
			return s.Path()
		}, ErrNewerSchema, "newer vigil"},
		{"no schema yet", func(t *testing.T) string {
			s := newStore(t)
			must(t, s.Close())
			setVersion(t, s.Path(), 0)
			return s.Path()
		}, nil, "holds no vigil state yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.make(t)
			var before string
			if _, err := os.Stat(path); err == nil {
				before = fileHash(t, path)
			}
			s, err := OpenReadOnly(path, testOptions())
			if err == nil {
				s.Close()
				t.Fatalf("OpenReadOnly = nil error, want one containing %q", tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenReadOnly = %v, want %v containing %q", err, tt.is, tt.want)
			}
			if before == "" {
				if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("OpenReadOnly created %s", path)
				}
			} else if after := fileHash(t, path); after != before {
				t.Errorf("OpenReadOnly changed the file")
			}
		})
	}
}
