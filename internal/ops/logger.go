package ops

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// NewLogger returns a structured logger writing to w. level is debug, info,
// warn or error (empty means info); format is text (logfmt-like, for a
// terminal or journald) or json (for a log pipeline; empty means text).
// Both are case-insensitive. Attributes named like secrets (see
// IsSecretKey), and every attribute inside a group so named, print as
// "<secret>"; string and error values are passed through Redact.
func NewLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: redactAttr}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// ParseLevel parses a log level name: debug, info, warn (or warning) or
// error, in any case; empty means info.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
}

// redactAttr is the handlers' ReplaceAttr: it hides attributes named like
// secrets, whole groups so named, and secrets it recognises in free text.
// slog resolves LogValuers before calling it.
func redactAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.SourceKey) {
		return a
	}
	if IsSecretKey(a.Key) || slices.ContainsFunc(groups, IsSecretKey) {
		return slog.String(a.Key, Secret)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); mayHoldSecret(s) {
			return slog.String(a.Key, Redact(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, Redact(err.Error()))
		}
	}
	return a
}
