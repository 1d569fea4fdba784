package main

import (
	"flag"
	"fmt"
	"io"

	"vigil/config"
)

var checkCommand = command{
	name:    "check",
	summary: "validate a config file and its rules",
	help:    checkHelp,
	run:     runCheck,
}

const checkHelp = `Usage: vigil check [--config FILE] [--online]

Load the config file and every rules file it names, check them, and print a
summary such as "2 sources, 5 rules, 1 notifier". Every problem is printed
on stderr, one per line, as file:line:column: what is wrong. Nothing is
queried and no alert is sent.

With --online it also opens every source and runs each rule's query over
its latest 3 settled buckets, within the rule's timeout, so that a missing
table or column, a bad expression or a slow query shows before the daemon
runs; and it checks each Slack notifier's token and channel with Slack (a
webhook is skipped: it cannot be called without posting). One line per
check goes to stdout, each problem to stderr naming the rule.

Flags:
  --config FILE        the config file (default vigil.yaml)
  --online             also run every rule's query and check credentials
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil check --config vigil.yaml
  vigil check --config deploy/vigil.yaml && git push
  vigil check --config vigil.yaml --online

Exit codes:
  0  the config is valid
  1  the config has problems (listed on stderr), or a flag is wrong
  2  with --online: a source, query or notifier check failed
`

func runCheck(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil check", stderr, g)
	path := fs.String("config", "vigil.yaml", "the config file")
	online := fs.Bool("online", false, "also run every rule's query and check credentials")
	if code, ok := parse(fs, args, stdout, helpOf(checkHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	log, err := g.logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "vigil check:", err)
		return exitConfig
	}
	cfg, err := config.Load(*path)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	fmt.Fprintln(stdout, cfg.Summary())
	if *online {
		return runOnline(cfg, stdout, stderr, log)
	}
	return exitOK
}

// helpOf returns a printer of a command's help, for parse.
func helpOf(text string) func(io.Writer) {
	return func(w io.Writer) { fmt.Fprint(w, text) }
}

// extra reports, on stderr, arguments left after the flags.
func extra(fs *flag.FlagSet, stderr io.Writer) bool {
	if len(fs.Args()) == 0 {
		return false
	}
	fmt.Fprintf(stderr, "%s: unexpected argument %q\nRun \"%s --help\" for usage.\n", fs.Name(), fs.Args()[0], fs.Name())
	return true
}
