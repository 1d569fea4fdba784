// Package config loads vigil's configuration: one config file naming
// sources, notifiers, defaults, the state file and the rules folder, plus
// every *.yaml and *.yml file under the rules folder.
//
// Loading is strict and reports every problem at once as a *Errors, each
// with its file, line and column, the metric's name and the key path in the
// user's own snake_case names:
//
//	rules/orders.yaml:14:5: metric "orders": detect.history: need at least 3 seasons (3w for weekly seasonality), got 1w
//
// Unknown keys (with a "did you mean"), duplicate keys, values of the wrong
// kind, bad durations, cron expressions and time zones, references to
// undefined sources or notifiers, metric names defined twice and unset
// environment variables are all errors.
//
// ${VAR} and ${VAR:-default} are expanded from the environment in each
// scalar after the YAML is parsed, so positions stay exact and a variable's
// value can never add YAML structure; $$ is a literal $. Secrets (Slack
// tokens, ClickHouse DSNs, webhook URLs) are never shown in errors, String,
// GoString or LogValue.
//
// REFERENCE.md beside this file lists every key, its type, default and
// meaning.
package config
