package state

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The lock and crash tests re-run the test binary as a child process that
// holds the state file (mode "hold") or writes to it in a loop until it is
// killed (mode "crash").
const (
	childEnv     = "VIGIL_STATE_TEST_CHILD"
	childPathEnv = "VIGIL_STATE_TEST_PATH"
	crashRule    = "crash"
	crashSeries  = "all"
)

var crashStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func runChild(mode, path string) int {
	s, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	switch mode {
	case "hold":
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
		return 0
	case "crash":
		if err := crashLoop(s); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 2
}

// crashLoop commits transactions that each change three records that must
// agree: the incident's Notifications, the number of its deliveries, and
// the rule's last judged bucket. It prints each committed number.
func crashLoop(s *Store) error {
	id := IncidentID(crashRule, crashSeries, crashStart)
	for {
		var n int
		err := s.Update(func(tx *Tx) error {
			inc, ok, err := tx.GetIncident(id)
			if err != nil {
				return err
			}
			if !ok {
				inc = firing(crashRule, crashSeries, crashStart)
			}
			inc.Notifications++
			n = inc.Notifications
			// A value that grows and shrinks makes commits split, merge and
			// free pages, not just rewrite one.
			inc.Explanation, _ = json.Marshal(strings.Repeat("x", (n%40)*200))
			if err := tx.PutIncident(&inc); err != nil {
				return err
			}
			d := Delivery{Key: DeliveryKey(id, EventUpdate, n, "console"), Incident: id,
				Notifier: "console", Event: EventUpdate, Payload: json.RawMessage(strconv.Itoa(n))}
			if _, _, err := tx.Enqueue(d); err != nil {
				return err
			}
			return tx.SetLastJudged(crashRule, crashStart.Add(time.Duration(n)*time.Hour))
		})
		if err != nil {
			return err
		}
		fmt.Println(n)
	}
}

// child starts the test binary as a child in mode on path.
func child(t *testing.T, mode, path string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childPathEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd, stdin, bufio.NewScanner(stdout)
}
