package config

import (
	"regexp"
	"strconv"
	"strings"
)

// slackOnly are the keys only Slack notifiers read, besides channel and
// token.
var slackOnly = []string{"app_token", "channel_by_severity", "mentions", "chart", "digest",
	"digest_only", "allowed_channels", "allowed_users", "allowed_groups"}

var (
	slackUserOrGroup = regexp.MustCompile(`^[SUW][A-Z0-9]{2,}$`)
	slackUser        = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackGroup       = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
)

// checkChannel reports a channel that is neither a name nor an ID.
func checkChannel(sc *scope, key, ch string) {
	if sc.has(key) && (strings.TrimSpace(ch) == "" || strings.ContainsAny(ch, " \t")) {
		sc.errorf(key, "must be a channel name such as #alerts or an ID such as C0123456, got %q", ch)
	}
}

// checkSlackChannel checks a metric's slack_channel, which only its Slack
// notifiers read.
func (c *metricChecker) checkSlackChannel(m *rawMetric) {
	if !m.sc.has("slack_channel") {
		return
	}
	checkChannel(m.sc, "slack_channel", m.SlackChannel)
	for _, name := range m.Notify {
		if c.cfg.Notifiers[name].Type == "slack" {
			return
		}
	}
	if !m.sc.bad["notify"] {
		m.sc.errorf("slack_channel", "has no effect: none of this metric's notifiers is a Slack notifier")
	}
}

// checkSlack checks the Slack notifier's keys beyond channel and token, and
// returns nt with the defaults filled in.
func checkSlack(sc *scope, nt Notifier) Notifier {
	if sc.has("app_token") {
		switch {
		case sc.literal["app_token"]:
			sc.errorf("app_token", "is written in the file; take it from the environment: app_token: ${SLACK_APP_TOKEN}")
		case nt.AppToken != "" && !strings.HasPrefix(nt.AppToken, "xapp-"):
			sc.errorf("app_token", "is not an app-level token: want the app's xapp- token with the connections:write scope (value not shown)")
		}
	}
	for _, sev := range severities {
		checkChannel(sc, "channel_by_severity."+sev, nt.ChannelBySeverity[sev])
	}
	for handle, id := range nt.Mentions {
		key := "mentions." + handle
		if !strings.HasPrefix(handle, "@") || len(handle) < 2 {
			sc.errorf(key, "the owner handle must start with @, as owners are written: \"@growth-oncall\"")
		}
		if !slackUserOrGroup.MatchString(id) {
			sc.errorf(key, "want a Slack user group ID (S0123…) or user ID (U0123…), got %q", id)
		}
	}
	if !sc.has("chart") && !sc.bad["chart"] {
		nt.Chart = "native"
	} else {
		sc.check("chart", checkEnum("chart", nt.Chart, chartModes))
	}
	if sc.has("digest") {
		sc.check("digest", checkSchedule(nt.Digest))
	}
	if nt.DigestOnly && !sc.has("digest") && !sc.bad["digest"] {
		sc.errorf("digest_only", "needs a digest schedule, e.g. digest: \"0 9 * * *\"; without one these alerts would never be sent")
	}
	for i, ch := range nt.AllowedChannels {
		checkChannel(sc, listKey("allowed_channels", i), ch)
	}
	checkIDs(sc, "allowed_users", nt.AllowedUsers, slackUser, "a Slack user ID (U0123…)")
	checkIDs(sc, "allowed_groups", nt.AllowedGroups, slackGroup, "a Slack user group ID (S0123…)")
	if nt.AppToken == "" {
		for _, k := range []string{"allowed_channels", "allowed_users", "allowed_groups"} {
			if sc.has(k) && !sc.has("app_token") {
				sc.errorf(k, "has no effect without app_token: buttons need an app-level token, app_token: ${SLACK_APP_TOKEN}")
			}
		}
	}
	return nt
}

func listKey(key string, i int) string { return key + "[" + strconv.Itoa(i) + "]" }

func checkIDs(sc *scope, key string, ids []string, re *regexp.Regexp, want string) {
	for i, id := range ids {
		if !re.MatchString(id) {
			sc.errorf(listKey(key, i), "want %s, got %q", want, id)
		}
	}
}
