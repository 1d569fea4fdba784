package config

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func loadSlack(t *testing.T, notifier string) (*Config, error) {
	t.Helper()
	fsys := fstest.MapFS{
		"vigil.yaml":   {Data: []byte("sources: {local: {type: duckdb}}\nnotifiers:\n  s:\n" + notifier)},
		"rules/m.yaml": {Data: []byte(okRules)},
	}
	return LoadFS(fsys, "vigil.yaml")
}

// TestSlackKeys checks that every Slack key reaches the Notifier.
func TestSlackKeys(t *testing.T) {
	setSecrets(t)
	t.Setenv("SLACK_APP_TOKEN", "xapp-1-A1-secret")
	cfg, err := loadSlack(t, `    type: slack
    token: ${SLACK_BOT_TOKEN}
    app_token: ${SLACK_APP_TOKEN}
    channel_by_severity: {minor: "#minor", critical: C0CRIT}
    mentions: {"@growth-oncall": S0123, "@ana": U0456}
    chart: image
    digest: "0 9 * * *"
    digest_only: true
    allowed_channels: ["#minor", C0CRIT]
    allowed_users: [U0456]
    allowed_groups: [S0123]
`)
	if err != nil {
		t.Fatalf("LoadFS() error = %v", err)
	}
	n := cfg.Notifiers["s"]
	if n.AppToken != "xapp-1-A1-secret" || n.Chart != "image" || n.Digest != "0 9 * * *" || !n.DigestOnly {
		t.Errorf("notifier = %+v", n)
	}
	if n.Channel != "" {
		t.Errorf("Channel = %q, want empty (channel_by_severity alone is enough)", n.Channel)
	}
	if want := map[string]string{"minor": "#minor", "critical": "C0CRIT"}; !maps.Equal(n.ChannelBySeverity, want) {
		t.Errorf("ChannelBySeverity = %v, want %v", n.ChannelBySeverity, want)
	}
	if want := map[string]string{"@growth-oncall": "S0123", "@ana": "U0456"}; !maps.Equal(n.Mentions, want) {
		t.Errorf("Mentions = %v, want %v", n.Mentions, want)
	}
	if !slices.Equal(n.AllowedChannels, []string{"#minor", "C0CRIT"}) || !slices.Equal(n.AllowedUsers, []string{"U0456"}) ||
		!slices.Equal(n.AllowedGroups, []string{"S0123"}) {
		t.Errorf("allowed = %v %v %v", n.AllowedChannels, n.AllowedUsers, n.AllowedGroups)
	}
}

// TestSlackDefaults checks the defaults and that an unset app token leaves
// the buttons off rather than failing.
func TestSlackDefaults(t *testing.T) {
	setSecrets(t)
	unsetenv(t, "VIGIL_TEST_UNSET_APP")
	cfg, err := loadSlack(t, "    {type: slack, channel: '#a', token: '${SLACK_BOT_TOKEN}', app_token: '${VIGIL_TEST_UNSET_APP:-}'}\n")
	if err != nil {
		t.Fatalf("LoadFS() error = %v", err)
	}
	n := cfg.Notifiers["s"]
	if n.Chart != "native" || n.AppToken != "" || n.Disabled {
		t.Errorf("notifier = %+v, want chart native, no app token, enabled", n)
	}
}

// TestSlackInvalid checks that each bad Slack key is reported at its place,
// in the user's key names.
func TestSlackInvalid(t *testing.T) {
	setSecrets(t)
	t.Setenv("SLACK_APP_TOKEN", "xapp-1-A1-secret")
	t.Setenv("BAD_APP_TOKEN", "xoxb-not-an-app-token")
	const base = "type: slack, token: '${SLACK_BOT_TOKEN}'"
	tests := []struct {
		name, keys, want string
	}{
		{"app token in file", "channel: '#a', app_token: xapp-1-lit", "vigil.yaml:4:74: notifiers.s.app_token: is written in the file"},
		{"app token of wrong kind", "channel: '#a', app_token: '${BAD_APP_TOKEN}'", "notifiers.s.app_token: is not an app-level token"},
		{"unknown severity", "channel_by_severity: {urgent: '#x'}", `notifiers.s.channel_by_severity.urgent: unknown key`},
		{"no channel at all", "chart: native", "notifiers.s.channel: missing"},
		{"severity channel with space", "channel_by_severity: {major: 'a b'}", `notifiers.s.channel_by_severity.major: must be a channel name`},
		{"mention without at", "channel: '#a', mentions: {growth: S0123}", `notifiers.s.mentions.growth: the owner handle must start with @`},
		{"mention bad id", "channel: '#a', mentions: {'@g': growth-team}", `notifiers.s.mentions.@g: want a Slack user group ID`},
		{"mentions a list", "channel: '#a', mentions: [S1]", `notifiers.s.mentions: want a mapping`},
		{"chart", "channel: '#a', chart: png", `notifiers.s.chart: unknown chart "png"`},
		{"digest schedule", "channel: '#a', digest: 'at nine'", `notifiers.s.digest: invalid cron expression`},
		{"digest only without digest", "channel: '#a', digest_only: true", `notifiers.s.digest_only: needs a digest schedule`},
		{"allowed user bad", "channel: '#a', app_token: '${SLACK_APP_TOKEN}', allowed_users: [ana]", `notifiers.s.allowed_users[0]: want a Slack user ID`},
		{"allowed group bad", "channel: '#a', app_token: '${SLACK_APP_TOKEN}', allowed_groups: [U1234]", `notifiers.s.allowed_groups[0]: want a Slack user group ID`},
		{"allowed without app token", "channel: '#a', allowed_users: [U1234]", `notifiers.s.allowed_users: has no effect without app_token`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadSlack(t, "    {"+base+", "+tt.keys+"}\n")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadFS() error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "xoxb-not") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

// TestSlackKeysOnOtherTypes checks that Slack-only keys are refused on a
// webhook.
func TestSlackKeysOnOtherTypes(t *testing.T) {
	setSecrets(t)
	_, err := loadSlack(t, "    {type: webhook, url: '${WEBHOOK_URL}', digest: '0 9 * * *'}\n")
	if err == nil || !strings.Contains(err.Error(), "notifiers.s.digest: is for slack only") {
		t.Fatalf("LoadFS() error = %v, want digest refused", err)
	}
}

// TestMetricSlackChannel checks a metric's slack_channel: kept when one of
// its notifiers is Slack, refused where no Slack notifier would read it.
func TestMetricSlackChannel(t *testing.T) {
	setSecrets(t)
	const notifiers = "notifiers:\n  s: {type: slack, channel: '#a', token: '${SLACK_BOT_TOKEN}'}\n  out: {type: console}\n"
	tests := []struct {
		name, metric, want string // want: an error, or "" to load
	}{
		{"slack notifier", "{name: m, table: t, timestamp: ts, value: count(), notify: [s, out], slack_channel: '#growth'}", ""},
		{"console only", "{name: m, table: t, timestamp: ts, value: count(), notify: [out], slack_channel: '#growth'}",
			"slack_channel: has no effect: none of this metric's notifiers is a Slack notifier"},
		{"bad channel", "{name: m, table: t, timestamp: ts, value: count(), notify: [s], slack_channel: 'a b'}",
			"slack_channel: must be a channel name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"vigil.yaml":   {Data: []byte("sources: {local: {type: duckdb}}\n" + notifiers)},
				"rules/m.yaml": {Data: []byte("metrics:\n  - " + tt.metric + "\n")},
			}
			cfg, err := LoadFS(fsys, "vigil.yaml")
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("LoadFS() error = %v, want one containing %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFS() error = %v", err)
			}
			if got := cfg.Metrics[0].SlackChannel; got != "#growth" {
				t.Errorf("SlackChannel = %q, want #growth", got)
			}
		})
	}
}
