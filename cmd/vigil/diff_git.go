package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// materialize returns the path of the old config: against itself, or for
// git:REV the config at newPath's path in revision REV, extracted with its
// whole tree into a temporary folder that cleanup removes.
func materialize(against, newPath string) (path string, cleanup func(), err error) {
	rev, ok := strings.CutPrefix(against, "git:")
	if !ok {
		return against, func() {}, nil
	}
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", nil, fmt.Errorf("%q: want git:REV, such as git:main", against)
	}
	dir := filepath.Dir(newPath)
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", nil, err
	}
	prefix, err := git(dir, "rev-parse", "--show-prefix")
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", "vigil-diff-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	cmd := exec.Command("git", "archive", "--format=tar", rev)
	cmd.Dir = top
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %v: %s", rev, err, strings.TrimSpace(errb.String()))
	}
	if err := untar(&out, tmp); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %w", rev, err)
	}
	return filepath.Join(tmp, filepath.FromSlash(prefix), filepath.Base(newPath)), cleanup, nil
}

// git runs git in dir and returns its output trimmed.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// untar writes the regular files and folders of a tar stream under dir,
// refusing names that would leave it.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("unsafe path %q in the archive", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			err = writeFile(p, tr)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(p string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
