package sourcestest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// chdbScript runs a job's steps in order in a chDB session (ClickHouse as
// a library in Node.js) kept in a folder, and prints the server's version
// and each named step's result or error as JSON. A step without a name
// that fails ends the job. Times come out as Unix seconds, so that no zone
// is involved in reading them.
const chdbScript = `
const path = require('path');
const {Session} = require(path.join(process.env.VIGIL_CHDB_DIR, 'node_modules', 'chdb'));
const job = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const s = new Session(job.path);
const out = {version: '', results: {}};
try {
  s.query("SET date_time_output_format = 'unix_timestamp'");
  out.version = s.query('SELECT version()', 'TSV').trim();
  for (const st of job.steps) {
    try {
      const text = s.query(st.sql, 'JSONCompact');
      if (!st.name) continue;
      const r = text.trim() ? JSON.parse(text) : {meta: [], data: []};
      out.results[st.name] = {meta: r.meta, data: r.data};
    } catch (e) {
      const msg = String(e && e.message || e);
      if (!st.name) { out.setupError = st.sql.slice(0, 200) + ': ' + msg; break; }
      out.results[st.name] = {error: msg};
    }
  }
} finally {
  s.cleanup && s.cleanup();
}
process.stdout.write(JSON.stringify(out));
`

// ChDBStep is one statement for RunChDB. A step with a name is a query
// whose result is returned under it; one without is setup, and its failure
// fails the test.
type ChDBStep struct {
	Name string `json:"name,omitempty"`
	SQL  string `json:"sql"`
}

// ChDBResult is a named step's result: its columns' types and rows, or the
// error chDB gave.
type ChDBResult struct {
	Meta  []struct{ Type string } `json:"meta"`
	Data  [][]any                 `json:"data"`
	Error string                  `json:"error"`
}

// RunChDB runs steps in order in the chDB database kept in the folder db,
// with the chDB install in dir (ChDBDir), and returns the server's version
// and the named steps' results.
func RunChDB(t testing.TB, dir, db string, steps []ChDBStep) (string, map[string]ChDBResult) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "run.js")
	if err := os.WriteFile(script, []byte(chdbScript), 0o600); err != nil {
		t.Fatal(err)
	}
	job, err := json.Marshal(map[string]any{"path": db, "steps": steps})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Env = append(os.Environ(), EnvChDBDir+"="+dir)
	cmd.Stdin = bytes.NewReader(job)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	var out struct {
		Version    string                `json:"version"`
		Results    map[string]ChDBResult `json:"results"`
		SetupError string                `json:"setupError"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("chDB output: %v\n%s", err, stdout)
	}
	if out.SetupError != "" {
		t.Fatalf("chDB: %s", out.SetupError)
	}
	return out.Version, out.Results
}
