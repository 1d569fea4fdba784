package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"vigil/config"
	"vigil/internal/shard"
)

// shardHelp is the --shard entry of the help of run, once and backtest,
// its description starting at column col like the other flags' there.
func shardHelp(col int) string {
	const flag = "  --shard I/N"
	lines := []string{
		"evaluate only the rules of shard I of N (0 <= I < N):",
		"rule NAME belongs to shard FNV-1a-64(NAME) mod N, so",
		"N processes split the rules without overlap, and adding",
		"a rule never moves another; auto/N takes I from the",
		"hostname's trailing -<n> (StatefulSet pod vigil-2)",
	}
	var b strings.Builder
	b.WriteString(flag + strings.Repeat(" ", col-len(flag)))
	for i, l := range lines {
		if i > 0 {
			b.WriteString(strings.Repeat(" ", col))
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// shardFlag registers --shard on fs; pass its value to applyShard once the
// config is loaded.
func shardFlag(fs *flag.FlagSet) *string {
	return fs.String("shard", "", "evaluate only the rules of shard I of N: I/N or auto/N")
}

// applyShard keeps in cfg the rules that the shard spec owns, so that
// engine.Build sees only them. An empty spec keeps every rule.
func applyShard(cfg *config.Config, spec string) (shard.Shard, error) {
	return applyShardHost(cfg, spec, os.Hostname)
}

func applyShardHost(cfg *config.Config, spec string, hostname func() (string, error)) (shard.Shard, error) {
	s, err := shard.Parse(spec, hostname)
	if err != nil {
		return s, fmt.Errorf("--shard: %w", err)
	}
	kept := cfg.Metrics[:0:0]
	for _, m := range cfg.Metrics {
		if s.Owns(m.Name) {
			kept = append(kept, m)
		}
	}
	cfg.Metrics = kept
	return s, nil
}
