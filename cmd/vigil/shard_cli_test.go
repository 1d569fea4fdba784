package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestShardFlag runs once and backtest as two shards and checks that they
// split the rules between them, each rule to one.
func TestShardFlag(t *testing.T) {
	dir := t.TempDir()
	var rules strings.Builder
	rules.WriteString("metrics:\n")
	var names []string
	for i := range 8 {
		name := fmt.Sprintf("events%d", i)
		names = append(names, name)
		fmt.Fprintf(&rules, "  - {name: %s, table: events, timestamp: ts, value: sum(v), detect: {method: threshold, lower: 90}}\n", name)
	}
	writeDiffConfig(t, dir, rules.String())
	for _, cmd := range [][]string{
		{"once", "--at", "2024-03-10 12:00"},
		{"backtest", "--from", "2024-03-05", "--to", "2024-03-06"},
	} {
		var seen []string
		for i := range 2 {
			args := append(slices.Clone(cmd), "--shard", fmt.Sprintf("%d/2", i))
			out, errOut, code := vigil(t, dir, args...)
			if code != exitOK {
				t.Fatalf("vigil %v = %d:\n%s", args, code, errOut)
			}
			mine := rulesIn(out, names)
			if len(mine) == 0 || len(mine) == len(names) {
				t.Errorf("vigil %v evaluated %v; want some of the rules, not all", args, mine)
			}
			seen = append(seen, mine...)
		}
		slices.Sort(seen)
		if !slices.Equal(seen, names) {
			t.Errorf("vigil %v: the two shards evaluated %v, want each of %v once", cmd, seen, names)
		}
	}
	_, errOut, code := vigil(t, dir, "once", "--shard", "2/2")
	if code != exitConfig || !strings.Contains(errOut, "--shard") {
		t.Errorf("once --shard 2/2 = %d, %q; want 1 and the flag named", code, errOut)
	}
}

// rulesIn returns the names among names that start a line of out.
func rulesIn(out string, names []string) []string {
	var got []string
	for _, n := range names {
		for line := range strings.SplitSeq(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == n {
				got = append(got, n)
				break
			}
		}
	}
	return got
}

// TestShardHelpAligned checks that the --shard entry of each help text
// starts its description in the same column as --config's.
func TestShardHelpAligned(t *testing.T) {
	tests := []struct {
		name, help string
	}{
		{"run", runHelp},
		{"once", onceHelp},
		{"backtest", backtestHelp},
	}
	column := func(help, flag string) int {
		for _, line := range strings.Split(help, "\n") {
			if rest, ok := strings.CutPrefix(line, "  "+flag); ok {
				return len(line) - len(strings.TrimLeft(rest, " "))
			}
		}
		return -1
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := column(tt.help, "--config FILE")
			if got := column(tt.help, "--shard I/N"); want < 0 || got != want {
				t.Errorf("--shard description starts at column %d, --config's at %d", got, want)
			}
		})
	}
}
