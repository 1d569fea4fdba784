package main

import (
	"bufio"
	"bytes"
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
	cmd := exec.Command(exe, "run", "--config", "vigil.yaml", "--log-format", "json")
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
	started := false
	for !started && lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		started = strings.Contains(lines.Text(), `"msg":"starting"`)
	}
	if !started {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("daemon did not start; stderr:\n%s", log.String())
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
