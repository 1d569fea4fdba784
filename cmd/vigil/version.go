package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=1.2.3".
var version = "dev"

var versionCommand = command{
	name:    "version",
	summary: "print the version",
	help:    versionHelp,
	run:     runVersion,
}

const versionHelp = `Usage: vigil version

Print vigil's version, the Go version it was built with and, when known,
the source revision.

Exit codes:
  0  always
`

func runVersion(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil version", stderr, g)
	if code, ok := parse(fs, args, stdout, helpOf(versionHelp)); !ok {
		return code
	}
	line := fmt.Sprintf("vigil %s (%s)", version, runtime.Version())
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				line += " " + s.Value
			}
		}
	}
	fmt.Fprintln(stdout, line)
	return exitOK
}
