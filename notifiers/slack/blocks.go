package slack

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// plain is a plain_text object; Slack renders emoji codes in it.
func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, nonEmpty(s, " "), true, false)
}

// mrkdwn is a mrkdwn text object capped at n characters.
func mrkdwn(s string, n int) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, truncate(nonEmpty(s, " "), n), false, false)
}

// section is a section block of mrkdwn text.
func section(s string) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(mrkdwn(s, maxSectionText), nil, nil)
}

// field is one "*Label*\nvalue" section field.
type field struct{ label, value string }

// fieldsBlock lays out up to ten fields side by side.
func fieldsBlock(fs []field) *slackgo.SectionBlock {
	if len(fs) > maxFields {
		fs = fs[:maxFields]
	}
	objs := make([]*slackgo.TextBlockObject, len(fs))
	for i, f := range fs {
		objs[i] = mrkdwn("*"+f.label+"*\n"+nonEmpty(f.value, "—"), maxFieldText)
	}
	return slackgo.NewSectionBlock(nil, objs, nil)
}

// fields are the numbers a reader checks first.
func (r renderer) fields(a notifiers.Alert) []field {
	exp := value(a.Expected, a.Unit)
	if b := band(a.Lower, a.Upper, a.Unit); b != "" {
		exp += "\nnormal " + b
	}
	if a.State == notifiers.Resolved {
		return r.resolvedFields(a, exp)
	}
	sev := SeverityOf(a.Score)
	score := sev.Label()
	if finite(a.Score) {
		score += fmt.Sprintf(" · score %.2f", a.Score)
	}
	return []field{
		{"Actual", value(a.Value, a.Unit)},
		{"Expected", exp},
		{"Change", changeText(a)},
		{"Severity", score},
		{"When", span(a.Time, a.Granularity, a.Location)},
	}
}

// changeText is "−27% (−1,190)", or a direction when there is no ratio.
func changeText(a notifiers.Alert) string {
	c := a.Change()
	switch {
	case math.IsNaN(a.Value):
		return "no data"
	case !finite(c):
		return a.Side() + " (" + signed(a.Value-a.Expected, a.Unit) + ")"
	}
	return percent(c) + " (" + signed(a.Value-a.Expected, a.Unit) + ")"
}

// context is the "why this alert" line: owner, rule, method, sensitivity,
// runbook and the command that reproduces the verdict.
func (r renderer) context(a notifiers.Alert) *slackgo.ContextBlock {
	why := "*Why this alert:* rule `" + code(a.Rule) + "`"
	if h := a.HowJudged(); h != "" {
		why += " · " + esc(h)
	}
	if o := r.owner(a.Owner); o != "" {
		why += " · owner " + o
	}
	elems := []slackgo.MixedElement{mrkdwn(why, maxTextObject)}
	if l := link(a.Runbook, "Runbook"); l != "" {
		elems = append(elems, mrkdwn(l, maxTextObject))
	}
	elems = append(elems, mrkdwn("Reproduce: `"+code(r.command(a))+"`", maxTextObject))
	if len(elems) > maxContextElems {
		elems = elems[:maxContextElems]
	}
	return slackgo.NewContextBlock("", elems...)
}

// command is the vigil explain command that reproduces the alert.
func (r renderer) command(a notifiers.Alert) string {
	cfg := r.configPath
	if cfg == "" {
		cfg = "vigil.yaml"
	}
	at := a.Time.UTC().Format(time.RFC3339)
	return "vigil explain --config " + shellQuote(cfg) + " --metric " + shellQuote(a.Rule) + " --at " + at
}

// safeWord is what a shell passes through unquoted.
var safeWord = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if safeWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// code makes s safe inside a mrkdwn code span, which cannot hold a
// backtick.
func code(s string) string { return esc(strings.ReplaceAll(s, "`", "'")) }

// maxURL is the longest URL linked; a longer one is shown cut, as text.
const maxURL = 1000

// link is a mrkdwn link to an http(s) URL, or the escaped text when it is
// not one.
func link(raw, label string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || runeLen(raw) > maxURL {
		return label + ": " + esc(truncate(raw, maxURL))
	}
	return "<" + strings.ReplaceAll(esc(raw), "|", "%7C") + "|" + label + ">"
}

// owner is the owner as a mention when Options.Mentions maps the handle,
// else the handle as text.
func (r renderer) owner(handle string) string {
	if m := r.mention(handle); m != "" {
		return m
	}
	return esc(handle)
}

// mention is the Slack mention for handle: "<!subteam^S123>" for a user
// group, "<@U123>" for a user, "" when the handle is not mapped.
func (r renderer) mention(handle string) string {
	id := strings.TrimSpace(r.mentions[handle])
	switch {
	case id == "":
		return ""
	case strings.HasPrefix(id, "<") && strings.HasSuffix(id, ">"):
		return id
	case strings.HasPrefix(id, "S"):
		return "<!subteam^" + id + ">"
	}
	return "<@" + id + ">"
}

// fitBlocks keeps a message within Slack's block count, replacing the
// blocks it drops with a note, never dropping the first.
func fitBlocks(blocks []slackgo.Block) []slackgo.Block {
	if len(blocks) <= maxBlocks {
		return blocks
	}
	kept := append([]slackgo.Block{}, blocks[:maxBlocks-1]...)
	note := fmt.Sprintf("…and %d more not shown", len(blocks)-len(kept))
	return append(kept, slackgo.NewContextBlock("", mrkdwn(note, maxTextObject)))
}
