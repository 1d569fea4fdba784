package ops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const hunter = "hunter2-s3cr3t"

type credentials struct{ user, password string }

// LogValue exposes the password under a secret name; the handler must hide it.
func (c credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", c.user), slog.String("password", c.password))
}

func TestLoggerRedacts(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want string // must appear in the output
	}{
		{name: "token", log: func(l *slog.Logger) { l.Info("start", "token", hunter) }, want: "token=<secret>"},
		{name: "password", log: func(l *slog.Logger) { l.Info("start", "password", hunter) }, want: "password=<secret>"},
		{name: "dsn", log: func(l *slog.Logger) { l.Info("start", "dsn", "clickhouse://u:"+hunter+"@h:9000") }, want: "dsn=<secret>"},
		{name: "secret", log: func(l *slog.Logger) { l.Info("start", "secret", hunter) }, want: "secret=<secret>"},
		{name: "authorization", log: func(l *slog.Logger) { l.Info("call", "Authorization", "Bearer "+hunter) }, want: "Authorization=<secret>"},
		{name: "upper case", log: func(l *slog.Logger) { l.Info("start", "TOKEN", hunter) }, want: "TOKEN=<secret>"},
		{name: "suffix", log: func(l *slog.Logger) { l.Info("start", "slack_bot_token", hunter) }, want: "slack_bot_token=<secret>"},
		{name: "non-string value", log: func(l *slog.Logger) { l.Info("start", "secret", []byte(hunter)) }, want: "secret=<secret>"},
		{name: "in a group", log: func(l *slog.Logger) {
			l.Info("start", slog.Group("source", "name", "warehouse", "dsn", hunter))
		}, want: "source.dsn=<secret>"},
		{name: "group named secret", log: func(l *slog.Logger) {
			l.Info("start", slog.Group("secret", "value", hunter))
		}, want: "secret.value=<secret>"},
		{name: "With", log: func(l *slog.Logger) { l.With("token", hunter).Info("start") }, want: "token=<secret>"},
		{name: "WithGroup", log: func(l *slog.Logger) { l.WithGroup("slack").Info("start", "token", hunter) }, want: "slack.token=<secret>"},
		{name: "LogValuer", log: func(l *slog.Logger) { l.Info("start", "creds", credentials{"vigil", hunter}) }, want: "creds.password=<secret>"},
		{name: "error text", log: func(l *slog.Logger) {
			l.Error("query failed", "err", fmt.Errorf("dial clickhouse://vigil:%s@db:9000: refused", hunter))
		}, want: "clickhouse://vigil:<secret>@db:9000"},
		{name: "string value", log: func(l *slog.Logger) {
			l.Info("connect", "url", "https://db/?user=vigil&password="+hunter)
		}, want: "password=<secret>"},
		{name: "message", log: func(l *slog.Logger) { l.Info("posting with xoxb-" + hunter) }, want: "posting with <secret>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				var buf bytes.Buffer
				l, err := NewLogger(&buf, "debug", format)
				if err != nil {
					t.Fatal(err)
				}
				tt.log(l)
				out := buf.String()
				if strings.Contains(out, "s3cr3t") {
					t.Errorf("%s log shows the secret: %s", format, out)
				}
				if !strings.Contains(out, "<secret>") {
					t.Errorf("%s log = %s, want <secret> in it", format, out)
				}
				if format == "text" && !strings.Contains(out, tt.want) {
					t.Errorf("text log = %s, want it to contain %q", out, tt.want)
				}
			}
		})
	}
}

func TestLoggerKeepsOrdinaryValues(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("evaluated", "rule", "orders", "source", "warehouse", "duration", 1.5,
		"err", errors.New("no rows"), "tokens_used", 3, "query", "SELECT count() FROM orders WHERE status = 'done'")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("json log %q: %v", buf.String(), err)
	}
	want := map[string]any{
		"msg": "evaluated", "level": "INFO", "rule": "orders", "source": "warehouse", "duration": 1.5,
		"err": "no rows", "tokens_used": float64(3), "query": "SELECT count() FROM orders WHERE status = 'done'",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("log[%q] = %v, want %v", k, rec[k], v)
		}
	}
	if _, ok := rec["time"]; !ok {
		t.Errorf("log has no time: %s", buf.String())
	}
}

func TestLoggerLevels(t *testing.T) {
	tests := []struct {
		name, level string
		want        []string // messages that must appear, of debug, info, warn, error
	}{
		{name: "empty is info", level: "", want: []string{"i", "w", "e"}},
		{name: "debug", level: "debug", want: []string{"d", "i", "w", "e"}},
		{name: "info", level: "INFO", want: []string{"i", "w", "e"}},
		{name: "warn", level: "warn", want: []string{"w", "e"}},
		{name: "warning", level: " Warning ", want: []string{"w", "e"}},
		{name: "error", level: "error", want: []string{"e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := NewLogger(&buf, tt.level, "")
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e")
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if i := strings.Index(line, "msg="); i >= 0 {
					got = append(got, line[i+4:])
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("level %q logged %v, want %v", tt.level, got, tt.want)
			}
		})
	}
}

func TestNewLoggerErrors(t *testing.T) {
	tests := []struct {
		name, level, format, want string
	}{
		{name: "level", level: "verbose", format: "text", want: `log level "verbose": want debug, info, warn or error`},
		{name: "format", level: "info", format: "xml", want: `log format "xml": want text or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := NewLogger(&bytes.Buffer{}, tt.level, tt.format)
			if err == nil || err.Error() != tt.want {
				t.Errorf("NewLogger(%q, %q) error = %v, want %q", tt.level, tt.format, err, tt.want)
			}
			if l != nil {
				t.Errorf("NewLogger(%q, %q) returned a logger with an error", tt.level, tt.format)
			}
		})
	}
}
