package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

// chdbScript runs statements in a chDB session (ClickHouse as a library in
// Node.js) and prints each query's result as JSON. Times come out as Unix
// seconds so that no zone is involved in reading them.
const chdbScript = `
const path = require('path');
const {Session} = require(path.join(process.env.VIGIL_CHDB_DIR, 'node_modules', 'chdb'));
const job = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const s = new Session(job.path);
const out = {version: '', results: []};
try {
  s.query("SET date_time_output_format = 'unix_timestamp'");
  out.version = s.query('SELECT version()', 'TSV').trim();
  for (const st of job.setup) s.query(st);
  for (const q of job.queries) {
    try {
      const r = JSON.parse(s.query(q.sql, 'JSONCompact'));
      out.results.push({name: q.name, meta: r.meta, data: r.data});
    } catch (e) {
      out.results.push({name: q.name, error: String(e && e.message || e)});
    }
  }
} finally {
  s.cleanup && s.cleanup();
}
process.stdout.write(JSON.stringify(out));
`

type chdbQuery struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

type chdbResult struct {
	Name  string                  `json:"name"`
	Meta  []struct{ Type string } `json:"meta"`
	Data  [][]any                 `json:"data"`
	Error string                  `json:"error"`
}

// runChDB runs setup then queries in a fresh chDB session.
func runChDB(t *testing.T, dir string, setup []string, queries []chdbQuery) (string, map[string]chdbResult) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "run.js")
	if err := os.WriteFile(script, []byte(chdbScript), 0o600); err != nil {
		t.Fatal(err)
	}
	job, err := json.Marshal(map[string]any{"path": filepath.Join(t.TempDir(), "chdb"), "setup": setup, "queries": queries})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Env = append(os.Environ(), sourcestest.EnvChDBDir+"="+dir)
	cmd.Stdin = bytes.NewReader(job)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	var out struct {
		Version string       `json:"version"`
		Results []chdbResult `json:"results"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("chDB output: %v\n%s", err, stdout)
	}
	res := map[string]chdbResult{}
	for _, r := range out.Results {
		res[r.Name] = r
	}
	return out.Version, res
}

// TestChDB runs every golden query on a current ClickHouse (chDB) over the
// same data and checks that it returns the reference series, so the SQL
// that suits 18.16 is proven on today's releases too.
func TestChDB(t *testing.T) {
	dir := sourcestest.ChDBDir(t)
	evs := sourcestest.Events()
	setup := append([]string{sourcestest.ClickHouseCreate(sourcestest.GoldenTable, "DateTime")},
		sourcestest.ClickHouseInserts(sourcestest.GoldenTable, evs)...)
	cases := sourcestest.Cases(sourcestest.GoldenTable)
	var queries []chdbQuery
	for _, c := range cases {
		q := c.For(sourcestest.ClickHouse)
		text, _ := sqlTests().QuerySQL(t, q)
		sqlTests().Golden(t, c.Name, text) // what runs below is the golden SQL
		rendered, err := (&Source{}).Render(q)
		if err != nil {
			t.Fatal(err)
		}
		queries = append(queries, chdbQuery{Name: c.Name, SQL: rendered})
	}
	version, results := runChDB(t, dir, setup, queries)
	t.Logf("chDB runs ClickHouse %s", version)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r, ok := results[c.Name]
			if !ok || r.Error != "" {
				t.Fatalf("chDB did not run the golden SQL of %s: %s", c.Name, r.Error)
			}
			q := c.For(sourcestest.ClickHouse)
			rows, err := chdbRows(r, q)
			if err != nil {
				t.Fatalf("chDB rows: %v", err)
			}
			got, err := sources.Fill(q, rows)
			if err != nil {
				t.Fatalf("Fill: %v", err)
			}
			want, err := c.Want(evs)
			if err != nil {
				t.Fatal(err)
			}
			if d := sourcestest.Diff(got, want); d != "" {
				t.Errorf("chDB result of %s differs from the reference:\n%s", c.Name, d)
			}
		})
	}
}

// chdbRows reads chDB's JSON rows the way Query reads the server's.
func chdbRows(r chdbResult, q sources.Query) ([]sources.Row, error) {
	var rows []sources.Row
	for _, cells := range r.Data {
		if len(cells) != len(r.Meta) {
			return nil, fmt.Errorf("row %v does not match columns %v", cells, r.Meta)
		}
		row, err := chdbRow(cells, r.Meta, q)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func chdbRow(cells []any, meta []struct{ Type string }, q sources.Query) (sources.Row, error) {
	nums := make([]float64, len(cells))
	for i := 1; i < len(cells); i++ {
		n, err := jsonNumber(cells[i])
		if err != nil {
			return sources.Row{}, err
		}
		nums[i] = n
	}
	var b time.Time
	typ := strings.TrimSuffix(strings.TrimPrefix(meta[0].Type, "Nullable("), ")")
	switch {
	case q.Kind() != sources.KindSQL:
		k, err := jsonNumber(cells[0])
		if err != nil {
			return sources.Row{}, err
		}
		b = sources.KeyTime(int64(k), q)
	case isDate(typ):
		d, err := time.Parse("2006-01-02", fmt.Sprint(cells[0]))
		if err != nil {
			return sources.Row{}, err
		}
		b, _ = sources.DateBucket(d, q)
	default:
		k, err := jsonNumber(cells[0])
		if err != nil {
			return sources.Row{}, err
		}
		b = time.Unix(int64(k), 0)
	}
	if q.Kind() == sources.KindRatio {
		den := nums[2]
		if math.IsNaN(den) {
			den = 0
		}
		return sources.RatioRow(b, nums[1], den), nil
	}
	return sources.Row{Bucket: b, Value: nums[1]}, nil
}

// jsonNumber reads a JSONCompact number: a JSON number, a quoted 64-bit
// integer, or null for NULL and nan.
func jsonNumber(v any) (float64, error) {
	switch n := v.(type) {
	case nil:
		return math.NaN(), nil
	case float64:
		return n, nil
	case string:
		return strconv.ParseFloat(n, 64)
	}
	return 0, fmt.Errorf("not a number: %v (%T)", v, v)
}
