package slack

import (
	"math"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/internal/humanize"
	"vigil/notifiers"
)

// Message is one Slack message as vigil sends it: blocks, the plain text
// Slack shows in notifications and on clients without blocks, and metadata
// that lets vigil find the message again.
type Message struct {
	Text     string
	Blocks   []slackgo.Block
	Metadata slackgo.SlackMetadata
}

// ChartMode says how a message shows the metric's recent history.
type ChartMode string

// Chart modes.
const (
	ChartNative ChartMode = "native" // Slack's data_visualization line chart
	ChartImage  ChartMode = "image"  // a PNG uploaded into the thread
	ChartNone   ChartMode = "none"
)

// renderer turns alerts into messages. Its fields come from Options.
type renderer struct {
	mentions   map[string]string // owner handle → Slack user or group ID
	configPath string            // for the reproduce command
	chart      ChartMode
}

// message renders the incident's top-level message: the firing form with
// buttons, or the resolved form.
func (r renderer) message(a notifiers.Alert) Message {
	blocks := []slackgo.Block{
		slackgo.NewHeaderBlock(plain(truncate(headline(a), maxHeader))),
		section(sentence(a)),
	}
	blocks = append(blocks, fieldsBlock(r.fields(a)))
	if r.chart == ChartNative {
		if c := nativeChart(a); c != nil {
			blocks = append(blocks, c)
		}
	}
	if t := contributorsTable(a); t != nil {
		blocks = append(blocks, t)
	}
	blocks = append(blocks, r.context(a))
	if a.State != notifiers.Resolved {
		if b := buttons(a.ID); b != nil {
			blocks = append(blocks, b)
		}
	}
	return Message{
		Text:     truncate(r.fallback(a), maxFallbackText),
		Blocks:   fitBlocks(blocks),
		Metadata: metadata(a, string(stateOf(a))),
	}
}

// stateOf is the alert's state, firing unless it says resolved.
func stateOf(a notifiers.Alert) notifiers.State {
	if a.State == notifiers.Resolved {
		return notifiers.Resolved
	}
	return notifiers.Firing
}

// headline states the move in one line: "Orders down 27% at 14:00 UTC".
func headline(a notifiers.Alert) string {
	name := title(a.Rule, a.Description)
	when := at(a.Time, a.Granularity, a.Location)
	switch c := a.Change(); {
	case a.State == notifiers.Resolved:
		return "Resolved: " + name + " back to normal"
	case math.IsNaN(a.Value):
		if d, ok := silentFor(a); ok {
			return name + ": no data for " + words(d)
		}
		return name + ": no data " + when
	case !finite(c):
		side := "above normal"
		if a.Side() == "down" {
			side = "below normal"
		}
		return name + " " + side + " " + when
	default:
		move := "up"
		if c < 0 {
			move = "down"
		}
		return name + " " + move + " " + humanize.Percent(math.Abs(c)) + " " + when
	}
}

// silentFor is how long the metric has had no data, up to the end of the
// alert's bucket: from the end of the last bucket with a value in History.
func silentFor(a notifiers.Alert) (time.Duration, bool) {
	for i := len(a.History) - 1; i >= 0; i-- {
		p := a.History[i]
		if p.Time.After(a.Time) || math.IsNaN(p.Value) {
			continue
		}
		return a.Time.Sub(p.Time), a.Granularity > 0 || a.Time.After(p.Time)
	}
	return 0, false
}

// sentence explains the alert in words: the explanation's sentence when
// drill-down found one, else one built from the numbers.
func sentence(a notifiers.Alert) string {
	if a.State == notifiers.Resolved {
		return resolvedSentence(a)
	}
	if e := explanationOf(a); e != nil && strings.TrimSpace(e.Sentence) != "" {
		return esc(e.Sentence)
	}
	s := numbersSentence(a)
	if r := strings.TrimSpace(a.Reason); r != "" && !math.IsNaN(a.Value) {
		s += "\n_" + esc(r) + "_"
	}
	return s
}

// numbersSentence is "Orders were 3,210 at 14:00 UTC, 27% below the
// expected 4,400 (normal 3,900 to 4,900)."
func numbersSentence(a notifiers.Alert) string {
	name := esc(title(a.Rule, a.Description))
	when := at(a.Time, a.Granularity, a.Location)
	exp := expectedPhrase(a)
	if math.IsNaN(a.Value) {
		s := "No data arrived for " + name + " " + when
		if d, ok := silentFor(a); ok {
			s = "No data has arrived for " + name + " for " + words(d) + ", up to " + strings.TrimPrefix(when, "at ")
		}
		if exp != "" {
			s += "; " + exp + " was expected"
		}
		return s + "."
	}
	s := name + " was " + value(a.Value, a.Unit) + " " + when
	if c := a.Change(); finite(c) && exp != "" {
		side := "above"
		if c < 0 {
			side = "below"
		}
		s += ", " + humanize.Percent(math.Abs(c)) + " " + side + " the expected " + exp
	} else if exp != "" {
		s += ", expected " + exp
	}
	return s + "."
}

// expectedPhrase is "4,400 (normal 3,900 to 4,900)", or the band alone.
func expectedPhrase(a notifiers.Alert) string {
	b := band(a.Lower, a.Upper, a.Unit)
	switch {
	case finite(a.Expected) && b != "":
		return value(a.Expected, a.Unit) + " (normal " + b + ")"
	case finite(a.Expected):
		return value(a.Expected, a.Unit)
	case b != "":
		return "a value " + b
	}
	return ""
}

// band describes [lower, upper]; an infinite or missing side is open.
func band(lower, upper float64, unit string) string {
	switch {
	case finite(lower) && finite(upper):
		return value(lower, unit) + " to " + value(upper, unit)
	case finite(upper):
		return "up to " + value(upper, unit)
	case finite(lower):
		return "from " + value(lower, unit)
	}
	return ""
}

// explanationOf returns the alert's explanation, nil when there is none.
// It is the one place that knows the field's type.
func explanationOf(a notifiers.Alert) *notifiers.Explanation { return a.Explanation }

// fallback is the message's plain text: what notifications and screen
// readers show. It mentions the owner so that they are notified.
func (r renderer) fallback(a notifiers.Alert) string {
	var b strings.Builder
	if m := r.mention(a.Owner); m != "" && a.State != notifiers.Resolved {
		b.WriteString(m + " ")
	}
	b.WriteString(esc(headline(a)))
	b.WriteString(". ")
	b.WriteString(strings.ReplaceAll(sentence(a), "\n", " "))
	return b.String()
}

// metadata identifies the incident and this delivery on the message, so
// that vigil can find the message after a restart (conversations.history
// with include_all_metadata).
func metadata(a notifiers.Alert, state string) slackgo.SlackMetadata {
	return slackgo.SlackMetadata{
		EventType: eventType,
		EventPayload: map[string]any{
			"incident_id":  metaValue(a.ID),
			"rule":         metaValue(a.Rule),
			"state":        state,
			"delivery_key": metaValue(a.DeliveryKey()),
		},
	}
}

// eventType is the metadata event type of every vigil message.
const eventType = "vigil_incident"

// metaValue caps a metadata string. Both the writer and the reader of the
// metadata use it, so a capped ID still matches.
func metaValue(s string) string { return truncate(s, maxMetadataValue) }
