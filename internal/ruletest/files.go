package ruletest

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Find expands args, files or folders, into the test files to run: a
// folder gives every *_test.yaml and *_test.yml under it, recursively,
// skipping folders whose name starts with a dot. A file is taken as given.
func Find(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && p != a && strings.HasPrefix(d.Name(), "."):
				return fs.SkipDir
			case !d.IsDir() && IsTestFile(p):
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

// IsTestFile reports whether name is a rule test file by its name.
func IsTestFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	return strings.HasSuffix(base, "_test.yaml") || strings.HasSuffix(base, "_test.yml")
}
