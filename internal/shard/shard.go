// Package shard splits rules among several vigil processes: with n shards,
// the rule named name belongs to shard FNV-1a-64(name) mod n. The hash of a
// name never changes, so every process agrees without talking to the
// others, every rule has exactly one owner, and adding or removing a rule
// never moves another one (changing n does).
package shard

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
)

// Shard is one of Count shards, numbered from 0. The zero value is
// unsharded: it owns every rule.
type Shard struct {
	Index, Count int
}

// maxCount bounds the number of shards, to catch typos.
const maxCount = 1000

// Of returns the shard, out of n, that owns the rule called name.
func Of(name string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int(h.Sum64() % uint64(n))
}

// Owns reports whether the shard owns the rule called name.
func (s Shard) Owns(name string) bool {
	return s.Count <= 1 || Of(name, s.Count) == s.Index
}

// String returns "i/n", or "" when unsharded.
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ordinal is the trailing -<n> of a StatefulSet pod's hostname (vigil-2).
var ordinal = regexp.MustCompile(`-([0-9]+)$`)

// Parse reads "i/n" (0 <= i < n) or "auto/n", where i is the number at the
// end of the hostname, as a Kubernetes StatefulSet names its pods vigil-0,
// vigil-1, ...; hostname is called only for auto. An empty spec is
// unsharded.
func Parse(spec string, hostname func() (string, error)) (Shard, error) {
	if spec == "" {
		return Shard{}, nil
	}
	index, count, ok := strings.Cut(spec, "/")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 || n > maxCount {
		return Shard{}, fmt.Errorf("shard %q: want i/n or auto/n, n from 1 to %d (e.g. 0/3, auto/3)", spec, maxCount)
	}
	if index == "auto" {
		host, err := hostname()
		if err != nil {
			return Shard{}, fmt.Errorf("shard %q: hostname: %w", spec, err)
		}
		m := ordinal.FindStringSubmatch(host)
		if m == nil {
			return Shard{}, fmt.Errorf("shard %q: hostname %q does not end in -<number> as a StatefulSet pod's does (vigil-0); give the shard as i/%d", spec, host, n)
		}
		index = m[1]
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 {
		return Shard{}, fmt.Errorf("shard %q: the index must be a whole number from 0 to %d, or auto", spec, n-1)
	}
	if i >= n {
		return Shard{}, fmt.Errorf("shard %q: index %d is not below the count %d; shards are numbered from 0", spec, i, n)
	}
	return Shard{Index: i, Count: n}, nil
}
