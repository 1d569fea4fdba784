package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// badBase is the config file the rules files in testdata/bad are loaded
// with.
const badBase = `
sources:
  warehouse: {type: clickhouse, dsn: "${CLICKHOUSE_DSN}"}
  local: {type: duckdb}
notifiers:
  stdout: {type: console}
  growth: {type: slack, channel: "#growth", token: "${SLACK_BOT_TOKEN}"}
defaults: {source: local, notify: [stdout]}
`

var wantComment = regexp.MustCompile(`# want:((?: "(?:[^"\\]|\\.)*")+)\s*$`)
var wantString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// wants reads the `# want: "text" ...` comments of a file: line → texts
// expected in errors reported at that line.
func wants(t *testing.T, src string) map[int][]string {
	t.Helper()
	out := map[int][]string{}
	for i, line := range strings.Split(src, "\n") {
		m := wantComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, q := range wantString.FindAllString(m[1], -1) {
			s, err := strconv.Unquote(q)
			if err != nil {
				t.Fatalf("line %d: bad want %s: %v", i+1, q, err)
			}
			out[i+1] = append(out[i+1], s)
		}
	}
	return out
}

// TestLoadBad loads each testdata/bad/*.bad.yaml as a rules file and checks
// that the problems reported are exactly those its want comments expect, on
// their lines.
func TestLoadBad(t *testing.T) {
	setSecrets(t)
	unsetenv(t, "VIGIL_TEST_UNSET_OWNER")
	files, err := filepath.Glob("testdata/bad/*.bad.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := "rules/" + filepath.Base(file)
			fsys := fstest.MapFS{
				"vigil.yaml": {Data: []byte(badBase)},
				name:         {Data: src},
			}
			cfg, err := LoadFS(fsys, "vigil.yaml")
			if cfg != nil {
				t.Fatalf("LoadFS(%s) returned a config, want errors", file)
			}
			want := wants(t, string(src))
			for _, e := range errorList(t, err) {
				if e.Pos.File != name {
					t.Errorf("unexpected error outside the file: %v", e)
					continue
				}
				line := want[e.Pos.Line]
				i := indexContained(e.Error(), line)
				if i < 0 {
					t.Errorf("unexpected error: %v", e)
					continue
				}
				want[e.Pos.Line] = append(line[:i], line[i+1:]...)
			}
			for l, ws := range want {
				for _, w := range ws {
					t.Errorf("%s:%d: no error containing %q", name, l, w)
				}
			}
		})
	}
}

func indexContained(s string, subs []string) int {
	for i, sub := range subs {
		if strings.Contains(s, sub) {
			return i
		}
	}
	return -1
}
