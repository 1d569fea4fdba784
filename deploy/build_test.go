package deploy_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shellWords splits a one-line shell command into words, honouring double
// quotes; enough for the documented build line.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// runtimeLibs are the shared libraries of gcr.io/distroless/cc-debian12,
// and the newest symbol versions its glibc 2.36 and GCC 12 libstdc++ have.
var (
	runtimeLibs = []string{"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libgcc_s.so.1", "libstdc++.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}
	newest      = map[string][]int{"GLIBC": {2, 36}, "GLIBCXX": {3, 4, 30}, "CXXABI": {1, 3, 13}, "GCC": {12, 0, 0}}
)

// TestDocumentedBuild runs the build line of BUILD.md (the Dockerfile's, by
// TestDockerfile), checks that the version it stamps is what vigil version
// prints, and that the binary needs no library or symbol version missing
// from the runtime image. It builds vigil with cgo: about a minute cold.
func TestDocumentedBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds vigil with cgo; skipped with -short")
	}
	words := shellWords(documentedBuild(t))
	var env []string
	for len(words) > 0 && strings.Contains(words[0], "=") {
		env, words = append(env, words[0]), words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("BUILD.md's line runs %q, want go build", words)
	}
	const version = "deploy-test-1"
	bin := filepath.Join(t.TempDir(), "vigil")
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "${VERSION}", version)
		if i > 0 && words[i-1] == "-o" {
			words[i] = bin // not into the work tree
		}
	}
	if !slices.Contains(env, "CGO_ENABLED=1") || !slices.Contains(words, "-trimpath") || words[len(words)-1] != "./cmd/vigil" {
		t.Errorf("BUILD.md's line %q lacks CGO_ENABLED=1, -trimpath or ./cmd/vigil", words)
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), words[1:]...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(words, " "), err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "vigil "+version+" ") {
		t.Errorf("vigil version = %q, %v; want it to start with %q", out, err, "vigil "+version+" ")
	}
	if runtime.GOOS != "linux" {
		return
	}
	expectNone(t, "the built binary", checkLinkage(t, bin, runtimeLibs, newest))
	// The same check against an older, smaller runtime must object.
	older := map[string][]int{"GLIBC": {2, 17}, "GLIBCXX": {3, 4, 30}}
	noCxx := slices.DeleteFunc(slices.Clone(runtimeLibs), func(l string) bool { return l == "libstdc++.so.6" })
	expectProblem(t, checkLinkage(t, bin, noCxx, newest), "needs libstdc++.so.6")
	expectProblem(t, checkLinkage(t, bin, runtimeLibs, older), "newer than the runtime image has")
}

// checkLinkage checks the libraries and symbol versions an ELF binary needs
// against the runtime image's.
func checkLinkage(t *testing.T, bin string, have []string, limits map[string][]int) problems {
	t.Helper()
	var p problems
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range libs {
		if !slices.Contains(have, l) {
			p.add("needs %s, which the runtime image lacks", l)
		}
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		prefix, ver, ok := strings.Cut(s.Version, "_")
		limit, known := limits[prefix]
		if ok && known && newer(ver, limit) {
			p.add("symbol %s needs %s, newer than the runtime image has", s.Name, s.Version)
		}
	}
	return p
}

// newer reports whether the dotted version v is above limit.
func newer(v string, limit []int) bool {
	parts := strings.Split(v, ".")
	for i := range max(len(parts), len(limit)) {
		var a, b int
		if i < len(parts) {
			a, _ = strconv.Atoi(parts[i])
		}
		if i < len(limit) {
			b = limit[i]
		}
		if a != b {
			return a > b
		}
	}
	return false
}

func TestNewer(t *testing.T) {
	tests := []struct {
		name  string
		v     string
		limit []int
		want  bool
	}{
		{"equal", "2.36", []int{2, 36}, false},
		{"older", "2.2.5", []int{2, 36}, false},
		{"newer minor", "2.38", []int{2, 36}, true},
		{"newer patch", "3.4.31", []int{3, 4, 30}, true},
		{"shorter", "3.4", []int{3, 4, 30}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newer(tt.v, tt.limit); got != tt.want {
				t.Errorf("newer(%q, %v) = %v, want %v", tt.v, tt.limit, got, tt.want)
			}
		})
	}
}

func TestShellWords(t *testing.T) {
	got := shellWords(`CGO_ENABLED=1 go build -ldflags "-s -w -X main.version=${VERSION}" -o bin/vigil ./cmd/vigil`)
	want := []string{"CGO_ENABLED=1", "go", "build", "-ldflags", "-s -w -X main.version=${VERSION}", "-o", "bin/vigil", "./cmd/vigil"}
	if !slices.Equal(got, want) {
		t.Errorf("shellWords = %q, want %q", got, want)
	}
}
