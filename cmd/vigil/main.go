// Command vigil watches business metrics in a data warehouse and says, in
// plain words, when one moved unexpectedly. See "vigil help".
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes shared by the subcommands.
const (
	exitOK     = 0 // done; for once, every rule was evaluated
	exitConfig = 1 // bad flags, or a config that does not load or build
	exitFailed = 2 // some rule could not be evaluated or its alert not delivered
)

func main() { os.Exit(run()) }

func run() int { return cli(os.Args[1:], os.Stdout, os.Stderr) }

// command is one subcommand.
type command struct {
	name    string
	summary string
	help    string // full help, printed by --help
	run     func(args []string, stdout, stderr io.Writer, g *globals) int
}

func commands() []command {
	return []command{checkCommand, onceCommand, explainCommand, backtestCommand, testCommand, diffCommand, schemaCommand, runCommand, versionCommand}
}

const usage = `vigil watches business metrics in a data warehouse and says, in plain
words, when one moved unexpectedly.

Usage:
  vigil [global flags] <command> [flags]

Commands:
%s  help      show help for a command

Global flags (also accepted after the command):
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)
Logs go to stderr; results go to stdout.

Examples:
  vigil check --config vigil.yaml
  vigil once --config vigil.yaml --rule orders
  vigil explain --config vigil.yaml --metric orders --at "2024-03-05 14:00"
  vigil run --config vigil.yaml --log-format json

Run "vigil help <command>" or "vigil <command> --help" for details.

Exit codes:
  0  success
  1  bad flags, or a config that does not load or build
  2  some rule could not be evaluated or its alert not delivered (once)
`

func printUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, usage, b.String())
}

// cli runs vigil with args (without the program name) and returns the exit
// code.
func cli(args []string, stdout, stderr io.Writer) int {
	g := &globals{}
	fs := newFlagSet("vigil", stderr, g)
	if code, ok := parseGlobal(fs, args, stdout, printUsage); !ok {
		return code
	}
	args = fs.Args()
	if len(args) == 0 {
		printUsage(stderr)
		return exitConfig
	}
	name, args := args[0], args[1:]
	if name == "help" {
		return help(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args, stdout, stderr, g)
		}
	}
	fmt.Fprintf(stderr, "vigil: unknown command %q\nRun \"vigil help\" for the list of commands.\n", name)
	return exitConfig
}

func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			fmt.Fprint(stdout, c.help)
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "vigil help: unknown command %q\n", args[0])
	return exitConfig
}
