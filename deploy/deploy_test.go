package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Test helpers shared by the checks: reading YAML as plain maps and lists,
// walking into them by path, and collecting problems.

// obj is a YAML mapping decoded as plain data.
type obj = map[string]any

// readFile returns the content of a file of this folder (paths are relative
// to deploy/).
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeAll decodes every YAML document of data into plain data, skipping
// empty documents.
func decodeAll(data []byte) ([]obj, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []obj
	for {
		var doc obj
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if doc != nil {
			out = append(out, doc)
		}
	}
}

// yamlFile decodes every document of a file of this folder.
func yamlFile(t testing.TB, name string) []obj {
	t.Helper()
	docs, err := decodeAll(readFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return docs
}

// get walks v by path, each step a map key (string) or a list index (int),
// and returns nil when a step is missing.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(obj)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			panic(fmt.Sprintf("get: path step %v is neither a key nor an index", p))
		}
	}
	return v
}

// str is get for a string; it formats scalars that are not strings.
func str(v any, path ...any) string {
	switch x := get(v, path...).(type) {
	case nil:
		return ""
	case string:
		return x
	case obj, []any:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// list is get for a list.
func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

// mapping is get for a mapping.
func mapping(v any, path ...any) obj {
	m, _ := get(v, path...).(obj)
	return m
}

// strs returns the strings of a list.
func strs(v any, path ...any) []string {
	var out []string
	for _, x := range list(v, path...) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// clone deep-copies plain data, so that a subtest can break a copy.
func clone[T any](v T) T {
	return cloneAny(v).(T)
}

func cloneAny(v any) any {
	switch x := v.(type) {
	case obj:
		m := make(obj, len(x))
		for k, e := range x {
			m[k] = cloneAny(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = cloneAny(e)
		}
		return l
	}
	return v
}

// set stores value at path in v; every step but the last must exist.
func set(t testing.TB, v any, value any, path ...any) {
	t.Helper()
	parent := get(v, path[:len(path)-1]...)
	switch k := path[len(path)-1].(type) {
	case string:
		m, ok := parent.(obj)
		if !ok {
			t.Fatalf("set %v: no mapping there", path)
		}
		m[k] = value
	case int:
		l, ok := parent.([]any)
		if !ok || k >= len(l) {
			t.Fatalf("set %v: no list item there", path)
		}
		l[k] = value
	}
}

// remove deletes the key at path in v.
func remove(t testing.TB, v any, path ...any) {
	t.Helper()
	m, ok := get(v, path[:len(path)-1]...).(obj)
	key, isKey := path[len(path)-1].(string)
	if !ok || !isKey {
		t.Fatalf("remove %v: no mapping key there", path)
	}
	if _, ok := m[key]; !ok {
		t.Fatalf("remove %v: no such key", path)
	}
	delete(m, key)
}

// problems collects what a check found wrong, one sentence each.
type problems []string

func (p *problems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

// expectNone fails the test with every problem found.
func expectNone(t testing.TB, what string, p problems) {
	t.Helper()
	for _, s := range p {
		t.Errorf("%s: %s", what, s)
	}
}

// expectProblem fails unless some problem contains want: it proves that a
// check catches the breakage a subtest made.
func expectProblem(t testing.TB, p problems, want string) {
	t.Helper()
	for _, s := range p {
		if strings.Contains(s, want) {
			return
		}
	}
	if len(p) == 0 {
		t.Errorf("the broken copy passed every check; want a problem containing %q", want)
		return
	}
	t.Errorf("problems = %q, want one containing %q", p, want)
}

// flagValue returns the value of --name in args, written as --name=value or
// --name value, and whether it is there.
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		switch {
		case a == "--"+name || a == "-"+name:
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", true
		case strings.HasPrefix(a, "--"+name+"="), strings.HasPrefix(a, "-"+name+"="):
			return a[strings.Index(a, "=")+1:], true
		}
	}
	return "", false
}

// under reports whether path p is dir or lies below it (slash paths).
func under(p, dir string) bool {
	dir = strings.TrimSuffix(dir, "/")
	return p == dir || strings.HasPrefix(p, dir+"/")
}
