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

const checkHelp = `Usage: vigil check [--config FILE]

Load the config file and every rules file it names, check them, and print a
summary such as "2 sources, 5 rules, 1 notifier". Every problem is printed
on stderr, one per line, as file:line:column: what is wrong. Nothing is
queried and no alert is sent.

Flags:
  --config FILE        the config file (default vigil.yaml)
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Examples:
  vigil check --config vigil.yaml
  vigil check --config deploy/vigil.yaml && git push

Exit codes:
  0  the config is valid
  1  the config has problems (listed on stderr), or a flag is wrong
`

func runCheck(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil check", stderr, g)
	path := fs.String("config", "vigil.yaml", "the config file")
	if code, ok := parse(fs, args, stdout, helpOf(checkHelp)); !ok {
		return code
	}
	if extra(fs, stderr) {
		return exitConfig
	}
	if _, err := g.logger(stderr); err != nil {
		fmt.Fprintln(stderr, "vigil check:", err)
		return exitConfig
	}
	cfg, err := config.Load(*path)
	if err != nil {
		printErrors(stderr, err)
		return exitConfig
	}
	fmt.Fprintln(stdout, cfg.Summary())
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
