package clickhouse

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files in testdata/golden")

// goldenTable is the table the golden queries read.
const goldenTable = "events"

// execSQL returns the SQL that Query sends for q, with its arguments.
func execSQL(t *testing.T, q sources.Query) (string, []any) {
	t.Helper()
	var args sources.Args
	text, err := dialect.BuildQuery(q, args.Bind)
	if err != nil {
		t.Fatalf("build(%s): %v", q.Rule, err)
	}
	return text, args
}

// golden compares got with testdata/golden/name.sql, or rewrites the file
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".sql")
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sources/clickhouse -run Golden -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("SQL of %s changed (run with -update if intended)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range sourcestest.Cases(goldenTable) {
		t.Run(c.Name, func(t *testing.T) {
			q := c.For(sourcestest.ClickHouse)
			text, args := execSQL(t, q)
			golden(t, c.Name, text)
			if n := strings.Count(text, "?"); n != len(args) || n != 2 {
				t.Errorf("SQL of %s has %d placeholders and %d arguments, want 2 of each", c.Name, n, len(args))
			}
			if strings.Contains(text, q.From.UTC().Format("2006-01-02 15:04")) {
				t.Errorf("SQL of %s holds a time bound as text; bounds must be bound", c.Name)
			}
			rendered, err := (&Source{}).Render(q)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			inlined := text
			for _, a := range args {
				inlined = strings.Replace(inlined, "?", literal(a.(time.Time)), 1)
			}
			if rendered != inlined {
				t.Errorf("Render(%s) is not the query with its bounds inlined:\n%s\nwant:\n%s", c.Name, rendered, inlined)
			}
		})
	}
}

// TestOldServerSQL keeps out what ClickHouse 18.16 lacks.
func TestOldServerSQL(t *testing.T) {
	banned := []string{"toStartOfInterval", "WITH FILL", "DateTime64", "toDateTime64", "FILTER (WHERE"}
	for _, c := range sourcestest.Cases(goldenTable) {
		if c.For(sourcestest.ClickHouse).Kind() == sources.KindSQL {
			continue
		}
		text, _ := execSQL(t, c.For(sourcestest.ClickHouse))
		for _, b := range banned {
			if strings.Contains(text, b) {
				t.Errorf("SQL of %s uses %s, which ClickHouse 18.16 lacks:\n%s", c.Name, b, text)
			}
		}
	}
}
