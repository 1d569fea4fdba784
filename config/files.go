package config

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// files is what loading needs of a file system: the operating system's for
// Load, an fs.FS for LoadFS.
type files interface {
	ReadFile(name string) ([]byte, error)
	// YAMLFiles lists every .yaml and .yml file under dir, sorted, skipping
	// folders whose name starts with a dot (.git and the like) and rule test
	// files (*_test.yaml, *_test.yml).
	YAMLFiles(dir string) ([]string, error)
	Join(dir, name string) string // name itself when it is absolute
	Dir(name string) string
	Same(a, b string) bool
}

var errNotDir = errors.New("not a folder")

func isYAML(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// isRuleTest reports whether name is a rule unit test file (orders_test.yaml),
// which vigil test reads and the loader skips.
func isRuleTest(name string) bool {
	base := strings.ToLower(path.Base(filepath.ToSlash(name)))
	return strings.HasSuffix(base, "_test.yaml") || strings.HasSuffix(base, "_test.yml")
}

// walkYAML collects the YAML files walk visits under root.
func walkYAML(root string, walk func(string, fs.WalkDirFunc) error, stat func(string) (fs.FileInfo, error)) ([]string, error) {
	info, err := stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, errNotDir
	}
	var out []string
	err = walk(root, func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && name != root && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case !d.IsDir() && isYAML(name) && !isRuleTest(name):
			out = append(out, name)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

type osFiles struct{}

func (osFiles) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osFiles) YAMLFiles(dir string) ([]string, error) {
	return walkYAML(dir, filepath.WalkDir, os.Stat)
}

func (osFiles) Join(dir, name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(dir, name)
}

func (osFiles) Dir(name string) string { return filepath.Dir(name) }

func (osFiles) Same(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(ia, ib)
}

type ioFiles struct{ fsys fs.FS }

func (f ioFiles) ReadFile(name string) ([]byte, error) { return fs.ReadFile(f.fsys, name) }

func (f ioFiles) YAMLFiles(dir string) ([]string, error) {
	walk := func(root string, fn fs.WalkDirFunc) error { return fs.WalkDir(f.fsys, root, fn) }
	stat := func(name string) (fs.FileInfo, error) { return fs.Stat(f.fsys, name) }
	return walkYAML(dir, walk, stat)
}

func (ioFiles) Join(dir, name string) string { return path.Join(dir, name) }

func (ioFiles) Dir(name string) string { return path.Dir(name) }

func (ioFiles) Same(a, b string) bool { return path.Clean(a) == path.Clean(b) }
