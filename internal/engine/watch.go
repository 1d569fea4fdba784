package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"vigil/config"
)

// watch polls the config's files every opts.Watch and sends on the
// channel it returns when they changed: a file added, removed or
// rewritten. Polling works the same on every system and file system
// (mounted ConfigMaps, network shares), which change notifications do
// not. It returns nil (never ready) when watching is off.
func (d *Daemon) watch(ctx context.Context) <-chan struct{} {
	if d.opts.Watch <= 0 {
		return nil
	}
	out := make(chan struct{}, 1)
	files := d.opts.WatchFiles
	if files == nil {
		files = func(cfg *config.Config) []string { return []string{cfg.File, cfg.RulesDir} }
	}
	current := func() string {
		d.mu.Lock()
		cfg := d.cfg
		d.mu.Unlock()
		return fingerprint(files(cfg))
	}
	last := current()
	go func() {
		t := time.NewTicker(d.opts.Watch)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := current()
			if now == last {
				continue
			}
			last = now
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out
}

// fingerprint hashes the names, sizes and contents of the files under
// paths (files, or folders walked recursively). A file that cannot be read
// counts as its error, so that its coming back is a change too.
func fingerprint(paths []string) string {
	h := sha256.New()
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(name string, de fs.DirEntry, err error) error {
			io.WriteString(h, name+"\x00")
			if err != nil {
				io.WriteString(h, err.Error()+"\x00")
				return nil
			}
			if de.IsDir() {
				return nil
			}
			f, err := os.Open(name)
			if err != nil {
				io.WriteString(h, err.Error()+"\x00")
				return nil
			}
			defer f.Close()
			_, _ = io.Copy(h, f)
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))
}
