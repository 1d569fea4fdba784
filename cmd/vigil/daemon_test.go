package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunStopsOnSignal starts the daemon on a config without rules, waits
// for it to start, sends SIGTERM and expects a clean exit.
func TestRunStopsOnSignal(t *testing.T) {
	dir := t.TempDir()
	cfg := "sources:\n  local: {type: duckdb}\nnotifiers:\n  stdout: {type: console}\nrules: rules/\n"
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "run", "--config", "vigil.yaml", "--listen", "127.0.0.1:0", "--log-format", "json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "VIGIL_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var log bytes.Buffer
	started, listen := false, ""
	for !started && lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		started = strings.Contains(lines.Text(), `"msg":"starting"`)
		var rec struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "ops server listening" {
			listen = rec.Addr
		}
	}
	if !started {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("daemon did not start; stderr:\n%s", log.String())
	}
	if listen == "" {
		t.Errorf("daemon did not say where it serves metrics; stderr:\n%s", log.String())
	} else {
		for path, want := range map[string]string{"/metrics": "vigil_rules", "/healthz": "ok", "/readyz": ""} {
			code, body := get(t, "http://"+listen+path)
			if code != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("GET %s = %d %.200q, want 200 with %q", path, code, body, want)
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() {
		var rest bytes.Buffer
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
		err := cmd.Wait()
		log.Write(rest.Bytes())
		waited <- err
	}()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("vigil run after SIGTERM: %v, want exit 0; stderr:\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-waited
		t.Fatalf("vigil run did not stop within 30s of SIGTERM; stderr:\n%s", log.String())
	}
	if !strings.Contains(log.String(), `"msg":"stopped"`) {
		t.Errorf("vigil run did not log that it stopped; stderr:\n%s", log.String())
	}
}

// get fetches url, waiting a little for a server that is still starting.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	var err error
	for range 50 {
		var resp *http.Response
		resp, err = http.Get(url)
		if err == nil {
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("GET %s: %v", url, err)
	return 0, ""
}
