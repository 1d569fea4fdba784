package main

import (
	"fmt"
	"io"

	"vigil/config"
)

var schemaCommand = command{
	name:    "schema",
	summary: "print the JSON Schema of the config file or of rules files",
	help:    schemaHelp,
	run:     runSchema,
}

const schemaHelp = `Usage: vigil schema config|rules

Print the JSON Schema (draft 2020-12) of the config file (config) or of a
rules file (rules), for editors and CI: it gives completion, descriptions
and errors for unknown keys, values of the wrong type and values outside
their set as you type. It is generated from the same table the loader is
tested against. Checks that need more than one key, value ranges, time
zones and cron syntax are left to "vigil check".

Use it with the YAML language server (VS Code's YAML extension, Neovim,
JetBrains): save the schemas and point to them from the file's first line,

  vigil schema config > .vigil/config.schema.json
  vigil schema rules > .vigil/rules.schema.json
  # yaml-language-server: $schema=../.vigil/rules.schema.json

or map them by file name in VS Code's settings.json:

  "yaml.schemas": {
    ".vigil/config.schema.json": "vigil.yaml",
    ".vigil/rules.schema.json": ["rules/**/*.yaml", "!rules/**/*_test.yaml"]
  }

Flags:
  --log-level LEVEL    debug, info, warn or error (default info)
  --log-format FORMAT  text or json (default text)

Exit codes:
  0  the schema was printed
  1  the argument is not config or rules, or a flag is wrong
`

func runSchema(args []string, stdout, stderr io.Writer, g *globals) int {
	fs := newFlagSet("vigil schema", stderr, g)
	if code, ok := parse(fs, args, stdout, helpOf(schemaHelp)); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "vigil schema: say which: vigil schema config, or vigil schema rules")
		return exitConfig
	}
	data, err := config.JSONSchema(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "vigil schema:", err)
		return exitConfig
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", data); err != nil {
		fmt.Fprintln(stderr, "vigil schema:", err)
		return exitConfig
	}
	return exitOK
}
