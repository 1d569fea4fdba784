package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Summary counts what the config holds: "2 sources, 5 rules, 1 notifier".
func (c *Config) Summary() string {
	return fmt.Sprintf("%s, %s, %s",
		plural(len(c.Sources), "source"), plural(len(c.Metrics), "rule"), plural(len(c.Notifiers), "notifier"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// String describes the source without secrets: `clickhouse "warehouse"
// clickhouse://vigil:<secret>@ch:9000/analytics`.
func (s Source) String() string {
	out := fmt.Sprintf("%s %q", s.Type, s.Name)
	switch {
	case s.DSN != "":
		out += " " + redactURL(s.DSN, true)
	case s.Path != "":
		out += " " + s.Path
	case s.Type == "duckdb":
		out += " in memory"
	}
	return out
}

// GoString is String, so that %#v cannot print a secret either.
func (s Source) GoString() string { return s.String() }

// LogValue is String, so that logging a Source cannot print a secret.
func (s Source) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String describes the notifier without secrets: `slack "growth" #alerts`.
// A webhook shows only its scheme and host: its path often holds a token.
func (n Notifier) String() string {
	out := fmt.Sprintf("%s %q", n.Type, n.Name)
	switch {
	case n.Channel != "":
		out += " " + n.Channel
	case n.URL != "":
		out += " " + redactURL(n.URL, false)
	}
	return out
}

// GoString is String, so that %#v cannot print a secret either.
func (n Notifier) GoString() string { return n.String() }

// LogValue is String, so that logging a Notifier cannot print a secret.
func (n Notifier) LogValue() slog.Value { return slog.StringValue(n.String()) }

// redactURL hides the password and query of a URL, and with keepPath false
// everything after the host. A URL that does not parse is hidden whole.
func redactURL(raw string, keepPath bool) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<secret>"
	}
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if u.User != nil {
		b.WriteString(u.User.Username())
		if _, ok := u.User.Password(); ok {
			b.WriteString(":<secret>")
		}
		b.WriteString("@")
	}
	b.WriteString(u.Host)
	switch {
	case !keepPath:
		if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
			b.WriteString("/<secret>")
		}
	default:
		b.WriteString(u.EscapedPath())
		if u.RawQuery != "" {
			b.WriteString("?<secret>")
		}
	}
	return b.String()
}
