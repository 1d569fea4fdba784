package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// globals are the flags every command accepts.
type globals struct {
	logLevel  string
	logFormat string
}

// newFlagSet returns a flag set for a command with the global flags bound
// to g, so that they may come before or after the command's name.
func newFlagSet(name string, stderr io.Writer, g *globals) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // help is printed by parse, to stdout
	if g.logLevel == "" {
		g.logLevel = "info"
	}
	if g.logFormat == "" {
		g.logFormat = "text"
	}
	fs.StringVar(&g.logLevel, "log-level", g.logLevel, "debug, info, warn or error")
	fs.StringVar(&g.logFormat, "log-format", g.logFormat, "text or json")
	return fs
}

// parse parses args into fs. Flags may come before or after other
// arguments ("vigil test rules/ --junit out.xml"); after "--" everything is
// an argument. fs.Args() then holds the other arguments in order. On
// --help it prints the help to stdout; on a bad flag flag has printed why to
// stderr and parse adds where to look. It returns ok false with the exit
// code when the command should stop.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer, printHelp func(io.Writer)) (code int, ok bool) {
	return parseFlags(fs, args, stdout, printHelp, true)
}

// parseGlobal is parse for the flags before the command's name: they stop
// at the first other argument, which names the command.
func parseGlobal(fs *flag.FlagSet, args []string, stdout io.Writer, printHelp func(io.Writer)) (code int, ok bool) {
	return parseFlags(fs, args, stdout, printHelp, false)
}

func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, printHelp func(io.Writer), interspersed bool) (code int, ok bool) {
	var rest []string
	err := fs.Parse(args)
	if !interspersed {
		rest, args = fs.Args(), nil
	}
	for interspersed && err == nil && fs.NArg() > 0 {
		left := fs.Args()
		if len(left) < len(args) && args[len(args)-len(left)-1] == "--" {
			rest = append(rest, left...) // after "--": no more flags
			break
		}
		rest = append(rest, left[0])
		args = left[1:]
		err = fs.Parse(args)
	}
	if err == nil {
		err = fs.Parse(append([]string{"--"}, rest...)) // sets fs.Args(); flags keep their values
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(stdout)
		return exitOK, false
	case err != nil:
		fmt.Fprintf(fs.Output(), "Run \"%s --help\" for usage.\n", fs.Name())
		return exitConfig, false
	}
	return exitOK, true
}

// logger returns the slog logger the global flags ask for, writing to w.
func (g *globals) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	switch strings.ToLower(g.logLevel) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	o := &slog.HandlerOptions{Level: level}
	switch g.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", g.logFormat)
}

// names collects a repeatable string flag.
type names []string

func (n *names) String() string { return strings.Join(*n, ",") }

func (n *names) Set(s string) error {
	if s == "" {
		return errors.New("empty name")
	}
	*n = append(*n, s)
	return nil
}

// printErrors prints every error in err on a line of its own: the parts
// of a joined error, or each line of its message.
func printErrors(w io.Writer, err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			printErrors(w, e)
		}
		return
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if line != "" {
			fmt.Fprintln(w, line)
		}
	}
}
