package shard

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func host(name string) func() (string, error) {
	return func() (string, error) { return name, nil }
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, spec, host string
		want             Shard
		wantErr          string
	}{
		{"empty", "", "", Shard{}, ""},
		{"explicit", "1/3", "", Shard{1, 3}, ""},
		{"single", "0/1", "", Shard{0, 1}, ""},
		{"auto", "auto/3", "vigil-2", Shard{2, 3}, ""},
		{"auto long name", "auto/12", "vigil-eu-west-11", Shard{11, 12}, ""},
		{"auto out of range", "auto/3", "vigil-3", Shard{}, "not below the count 3"},
		{"auto no ordinal", "auto/3", "laptop", Shard{}, `hostname "laptop" does not end in -<number>`},
		{"index too big", "3/3", "", Shard{}, "numbered from 0"},
		{"negative", "-1/3", "", Shard{}, "whole number from 0 to 2"},
		{"no slash", "3", "", Shard{}, "want i/n or auto/n"},
		{"zero count", "0/0", "", Shard{}, "want i/n"},
		{"word", "one/3", "", Shard{}, "or auto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.spec, host(tt.host))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
			}
		})
	}
	if _, err := Parse("auto/2", func() (string, error) { return "", errors.New("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("hostname failure: %v", err)
	}
}

func randomNames(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("rule_%d_%x", i, r.Uint64())
	}
	return out
}

// TestEveryRuleExactlyOneOwner checks, for many counts, that each rule is
// owned by exactly one shard.
func TestEveryRuleExactlyOneOwner(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := randomNames(r, 500)
	for n := 1; n <= 9; n++ {
		for _, name := range names {
			owners := 0
			for i := range n {
				if (Shard{i, n}).Owns(name) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("%d shards: %q has %d owners", n, name, owners)
			}
		}
	}
	if !(Shard{}).Owns("anything") {
		t.Error("the unsharded zero value does not own every rule")
	}
}

// TestAddingRulesMovesNone checks that the owner of a rule depends on its
// name only: adding rules to a set leaves every earlier rule where it was.
func TestAddingRulesMovesNone(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		n := 1 + r.IntN(8)
		before := randomNames(r, 1+r.IntN(50))
		owner := assign(before, n)
		after := append(append([]string{}, before...), randomNames(r, 1+r.IntN(50))...)
		r.Shuffle(len(after), func(i, j int) { after[i], after[j] = after[j], after[i] })
		moved := assign(after, n)
		for _, name := range before {
			if owner[name] != moved[name] {
				t.Fatalf("trial %d: adding rules moved %q from shard %d to %d", trial, name, owner[name], moved[name])
			}
		}
	}
}

// assign returns each name's owner among n shards, deciding in order.
func assign(names []string, n int) map[string]int {
	out := map[string]int{}
	for _, name := range names {
		for i := range n {
			if (Shard{i, n}).Owns(name) {
				out[name] = i
			}
		}
	}
	return out
}

// TestBalance checks that shards get similar numbers of rules.
func TestBalance(t *testing.T) {
	names := make([]string, 3000)
	for i := range names {
		names[i] = fmt.Sprintf("metric_%d", i)
	}
	counts := make([]int, 3)
	for _, name := range names {
		counts[Of(name, 3)]++
	}
	for i, c := range counts {
		if c < 900 || c > 1100 {
			t.Errorf("shard %d of 3 owns %d of 3000 rules; want about 1000 (all: %v)", i, c, counts)
		}
	}
}

func TestOfIsFNV1a(t *testing.T) {
	// FNV-1a 64 of "" is its offset basis, 14695981039346656037.
	if got := Of("", 1000); got != int(uint64(14695981039346656037)%1000) {
		t.Errorf("Of(\"\", 1000) = %d, want the FNV-1a offset basis mod 1000", got)
	}
}
