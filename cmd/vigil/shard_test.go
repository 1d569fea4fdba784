package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"vigil/config"
)

func TestApplyShard(t *testing.T) {
	names := make([]string, 40)
	for i := range names {
		names[i] = fmt.Sprintf("rule%d", i)
	}
	load := func() *config.Config {
		cfg := &config.Config{}
		for _, n := range names {
			cfg.Metrics = append(cfg.Metrics, config.Metric{Name: n})
		}
		return cfg
	}
	var all []string
	for i := range 3 {
		cfg := load()
		host := func() (string, error) { return fmt.Sprintf("vigil-%d", i), nil }
		s, err := applyShardHost(cfg, "auto/3", host)
		if err != nil || s.Index != i {
			t.Fatalf("auto/3 on vigil-%d = %v, %v", i, s, err)
		}
		if len(cfg.Metrics) == 0 || len(cfg.Metrics) == len(names) {
			t.Errorf("shard %d/3 kept %d of %d rules", i, len(cfg.Metrics), len(names))
		}
		for _, m := range cfg.Metrics {
			all = append(all, m.Name)
		}
	}
	slices.Sort(all)
	want := slices.Clone(names)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("the three shards hold %v, want every rule once: %v", all, want)
	}
	cfg := load()
	if _, err := applyShard(cfg, ""); err != nil || len(cfg.Metrics) != len(names) {
		t.Errorf("no --shard kept %d rules, %v", len(cfg.Metrics), err)
	}
	if _, err := applyShard(load(), "5/3"); err == nil || !strings.Contains(err.Error(), "--shard") {
		t.Errorf("--shard 5/3: %v", err)
	}
}
