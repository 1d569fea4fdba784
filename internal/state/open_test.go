package state

import (
	"encoding/binary"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesAndKeeps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s, err := Open(path, testOptions())
	if err != nil {
		t.Fatalf("Open(new file) = %v", err)
	}
	must(t, s.SetLastJudged("orders", t0))
	s = reopen(t, s)
	got, ok, err := s.LastJudged("orders")
	if err != nil || !ok || !got.Equal(t0) {
		t.Errorf("LastJudged after reopen = %v, %v, %v, want %v", got, ok, err, t0)
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the state file: %v", len(entries), entries)
	}
	info, err := os.Stat(path)
	must(t, err)
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("state file mode = %v, want 0600", perm)
	}
	var v int
	must(t, s.db.View(func(tx *bolt.Tx) error { v, err = s.version(tx); return err }))
	if v != SchemaVersion() {
		t.Errorf("schema version = %d, want %d", v, SchemaVersion())
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "state.db")
	_, err := Open(path, testOptions())
	if err == nil || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open(%s) = %v, want a plain error naming the path", path, err)
	}
}

// bigStore makes a store file with enough records to span many pages and
// returns its path, closed.
func bigStore(t *testing.T) string {
	t.Helper()
	s := newStore(t)
	must(t, s.Update(func(tx *Tx) error {
		for i := range 2000 {
			d := Delivery{Key: DeliveryKey("inc", EventOpen, i, "slack"), Incident: "inc", Notifier: "slack",
				Event: EventOpen, Payload: []byte(`{"text":"` + strings.Repeat("orders fell ", 10) + `"}`)}
			if _, _, err := tx.Enqueue(d); err != nil {
				return err
			}
		}
		return nil
	}))
	must(t, s.Close())
	return s.Path()
}

// livePage returns the ID of a page of type typ in use in the file.
func livePage(t *testing.T, path, typ string) (id, pageSize int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	must(t, err)
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for i := 2; ; i++ {
			p, err := tx.Page(i)
			if err != nil || p == nil {
				return err
			}
			if p.Type == typ {
				id = i
				return nil
			}
		}
	})
	must(t, err)
	if id == 0 {
		t.Fatalf("no %s page in %s", typ, path)
	}
	return id, db.Info().PageSize
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt(b, off)
	must(t, err)
	must(t, f.Close())
}

func garbage(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestOpenRefusesDamagedFile(t *testing.T) {
	pageSize := os.Getpagesize()
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		reason string
	}{
		{"garbage bytes", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, garbage(64<<10), 0o600))
		}, "not a vigil state file"},
		{"a few bytes", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, []byte("hello"), 0o600))
		}, "not a vigil state file"},
		{"a text file", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, []byte(strings.Repeat("state: vigil-state.db\n", 2000)), 0o600))
		}, "not a vigil state file"},
		{"empty file", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, nil, 0o600))
		}, "empty"},
		{"truncated to half", func(t *testing.T, path string) {
			p := bigStore(t)
			info, err := os.Stat(p)
			must(t, err)
			must(t, os.Rename(p, path))
			must(t, os.Truncate(path, info.Size()/2))
		}, "truncated"},
		{"truncated to one page", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			must(t, os.Truncate(path, int64(pageSize)))
		}, ""},
		{"truncated mid-page", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			must(t, os.Truncate(path, int64(5*pageSize+123)))
		}, ""},
		{"both header pages damaged", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			overwrite(t, path, 16, garbage(64))
			overwrite(t, path, int64(pageSize)+16, garbage(64))
		}, "header"},
		{"header checksums wrong", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			for i := range 2 {
				overwrite(t, path, int64(i*pageSize)+16+40, []byte{0xff}) // high-water mark
			}
		}, "checksum"},
		{"data page zeroed", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			id, ps := livePage(t, path, "leaf")
			overwrite(t, path, int64(id*ps), make([]byte, ps))
		}, "damaged"},
		{"data page garbage", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			id, ps := livePage(t, path, "branch")
			overwrite(t, path, int64(id*ps), garbage(ps))
		}, "damaged"},
		{"freelist garbage", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			id, ps := livePage(t, path, "freelist")
			overwrite(t, path, int64(id*ps), garbage(ps))
		}, "damaged"},
		{"live page listed as free", func(t *testing.T, path string) {
			// A well-formed freelist that names a page in use: the next write
			// would reuse it and overwrite live records. Only bbolt's
			// consistency check sees this.
			must(t, os.Rename(bigStore(t), path))
			leaf, ps := livePage(t, path, "leaf")
			fl, _ := livePage(t, path, "freelist")
			head := make([]byte, 16)
			binary.NativeEndian.PutUint64(head, uint64(fl))
			binary.NativeEndian.PutUint16(head[8:], freelistFlag)
			binary.NativeEndian.PutUint16(head[10:], 1)
			overwrite(t, path, int64(fl*ps), append(head, binary.NativeEndian.AppendUint64(nil, uint64(leaf))...))
		}, "consistency check failed"},
		{"bucket missing", func(t *testing.T, path string) {
			must(t, os.Rename(bigStore(t), path))
			db, err := bolt.Open(path, 0o600, nil)
			must(t, err)
			must(t, db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bFeedback) }))
			must(t, db.Close())
		}, "bucket feedback is missing"},
		{"written without a freelist", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true})
			must(t, err)
			must(t, db.Update(func(tx *bolt.Tx) error { return createV1(tx) }))
			must(t, db.Close())
		}, "no freelist"},
		{"bbolt file of another program", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			must(t, err)
			must(t, db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return b.Put([]byte("a"), []byte("b"))
			}))
			must(t, db.Close())
		}, "not a vigil state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tt.damage(t, path)
			before := fileHash(t, path)
			s, err := Open(path, testOptions())
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded, want ErrCorrupt", tt.name)
			}
			var ce *CorruptError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
				t.Fatalf("Open(%s) = %v, want ErrCorrupt", tt.name, err)
			}
			msg := err.Error()
			t.Logf("Open: %v", err)
			for _, want := range []string{path, tt.reason, "move it aside", "left untouched"} {
				if !strings.Contains(msg, want) {
					t.Errorf("Open(%s) error %q does not contain %q", tt.name, msg, want)
				}
			}
			if after := fileHash(t, path); after != before {
				t.Errorf("Open(%s) changed the file: %s, was %s", tt.name, after, before)
			}
			// A second try must fail the same way: nothing was held or changed.
			if _, err2 := Open(path, testOptions()); !errors.Is(err2, ErrCorrupt) {
				t.Errorf("second Open(%s) = %v, want ErrCorrupt", tt.name, err2)
			}
		})
	}
}

// TestOpenOneDamagedHeader: bbolt keeps two header copies so that a torn
// header write falls back to the transaction before. The store opens, says
// so in the log, and serves the older copy's data.
func TestOpenOneDamagedHeader(t *testing.T) {
	for _, page := range []int{0, 1} {
		t.Run("page "+string(rune('0'+page)), func(t *testing.T) {
			s := newStore(t)
			for i := range 3 {
				must(t, s.SetLastJudged("orders", t0.Add(time.Duration(i)*time.Hour)))
			}
			path := s.Path()
			must(t, s.Close())
			f, err := os.Open(path)
			must(t, err)
			metas := readMetas(f)
			f.Close()
			if !metas[0].valid || !metas[1].valid {
				t.Fatalf("readMetas on an intact file = %+v, want both valid", metas)
			}
			newest := 0
			if metas[1].txid > metas[0].txid {
				newest = 1
			}
			overwrite(t, path, int64(page*os.Getpagesize())+16, garbage(8))

			var logs logBuffer
			opts := testOptions()
			opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			s, err = Open(path, opts)
			if err != nil {
				t.Fatalf("Open with header page %d damaged = %v, want success", page, err)
			}
			defer s.Close()
			if !strings.Contains(logs.String(), "header copy is damaged") {
				t.Errorf("log = %q, want a warning about the damaged header", logs.String())
			}
			got, _, err := s.LastJudged("orders")
			must(t, err)
			want := t0.Add(2 * time.Hour)
			if page == newest {
				want = t0.Add(time.Hour) // the last transaction was in the damaged copy
			}
			if !got.Equal(want) {
				t.Errorf("LastJudged = %v, want %v", got, want)
			}
		})
	}
}

func setVersion(t *testing.T, path string, v uint64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(kSchema, binary.BigEndian.AppendUint64(nil, v))
	}))
	must(t, db.Close())
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := newStore(t)
	must(t, s.SetLastJudged("orders", t0))
	path := s.Path()
	must(t, s.Close())
	setVersion(t, path, uint64(SchemaVersion()+1))
	before := fileHash(t, path)

	_, err := Open(path, testOptions())
	var ne *NewerSchemaError
	if !errors.Is(err, ErrNewerSchema) || !errors.As(err, &ne) {
		t.Fatalf("Open(newer schema) = %v, want ErrNewerSchema", err)
	}
	if ne.Found != SchemaVersion()+1 || ne.Latest != SchemaVersion() {
		t.Errorf("NewerSchemaError = %+v, want found %d, latest %d", ne, SchemaVersion()+1, SchemaVersion())
	}
	for _, want := range []string{path, "newer vigil", "left untouched"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if after := fileHash(t, path); after != before {
		t.Errorf("Open(newer schema) changed the file: %s, was %s", after, before)
	}
}
