package slack

import (
	"math"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/internal/humanize"
	"vigil/notifiers"
)

// peak is the point of the incident farthest from expected.
type peak struct {
	p  notifiers.HistoryPoint
	ok bool
}

// peakOf finds the incident's worst bucket in History: from Started (or,
// without it, among points outside their band) up to the alert's bucket,
// which is the first one back to normal.
func peakOf(a notifiers.Alert) peak {
	var best peak
	worst := -1.0
	for _, p := range a.History {
		if !p.Time.Before(a.Time) || !finite(p.Value) || !finite(p.Expected) {
			continue
		}
		if !a.Started.IsZero() && p.Time.Before(a.Started) {
			continue
		}
		if a.Started.IsZero() && !(p.Value < p.Lower || p.Value > p.Upper) {
			continue
		}
		if d := math.Abs(p.Value - p.Expected); d > worst {
			worst, best = d, peak{p: p, ok: true}
		}
	}
	return best
}

// lasted is how long the incident lasted: from its first anomalous bucket
// to the start of the bucket back to normal.
func lasted(a notifiers.Alert) (time.Duration, bool) {
	if a.Started.IsZero() || !a.Time.After(a.Started) {
		return 0, false
	}
	return a.Time.Sub(a.Started), true
}

// peakText is "3,210, 27% below the expected 4,400, at 14:00 UTC".
func peakText(a notifiers.Alert, pk peak) string {
	p := pk.p
	s := value(p.Value, a.Unit)
	if p.Expected != 0 {
		c := (p.Value - p.Expected) / math.Abs(p.Expected)
		side := "above"
		if c < 0 {
			side = "below"
		}
		s += ", " + humanize.Percent(math.Abs(c)) + " " + side + " the expected " + value(p.Expected, a.Unit)
	}
	return s + ", " + at(p.Time, a.Granularity, a.Location)
}

// resolvedSentence says what happened: the value now, how long it lasted
// and how bad it got.
func resolvedSentence(a notifiers.Alert) string {
	name := esc(title(a.Rule, a.Description))
	s := name + " is back to normal " + at(a.Time, a.Granularity, a.Location)
	if !math.IsNaN(a.Value) {
		s += ": " + value(a.Value, a.Unit)
		if b := band(a.Lower, a.Upper, a.Unit); b != "" {
			s += " (normal " + b + ")"
		}
	}
	s += "."
	if d, ok := lasted(a); ok {
		s += " The incident lasted " + words(d) + "."
	}
	if pk := peakOf(a); pk.ok {
		s += " At its worst it was " + peakText(a, pk) + "."
	}
	if r := strings.TrimSpace(a.Reason); r != "" {
		s += "\n_" + esc(r) + "_"
	}
	return s
}

// resolvedFields are the numbers of a resolved incident.
func (r renderer) resolvedFields(a notifiers.Alert, exp string) []field {
	fs := []field{{"Now", value(a.Value, a.Unit)}, {"Expected", exp}}
	if d, ok := lasted(a); ok {
		fs = append(fs, field{"Lasted", words(d)})
	}
	if pk := peakOf(a); pk.ok {
		fs = append(fs, field{"Peak", value(pk.p.Value, a.Unit) + " " + at(pk.p.Time, a.Granularity, a.Location)})
	}
	return append(fs, field{"Resolved", span(a.Time, a.Granularity, a.Location)})
}

// reply is the threaded message for a later event of an incident: what
// changed since the first message, or when and why it resolved.
func (r renderer) reply(a notifiers.Alert) Message {
	var text string
	if a.State == notifiers.Resolved {
		text = resolvedReply(a)
	} else {
		text = firingReply(a)
	}
	return Message{
		Text:     truncate(text, maxFallbackText),
		Blocks:   []slackgo.Block{section(text)},
		Metadata: metadata(a, "reply"),
	}
}

// firingReply is "Still anomalous at 15:00 UTC: 3,050, 31% below the
// expected 4,420 (an hour earlier: 3,210, −27%). Severity: Major."
func firingReply(a notifiers.Alert) string {
	when := at(a.Time, a.Granularity, a.Location)
	s := "*Still anomalous " + when + ":* " + value(a.Value, a.Unit)
	if c := a.Change(); finite(c) {
		s += " (" + percent(c) + " against the expected " + value(a.Expected, a.Unit) + ")"
	}
	if p, ok := previous(a); ok {
		s += "; before that " + value(p.Value, a.Unit)
		if p.Expected != 0 && finite(p.Value) {
			s += " (" + percent((p.Value-p.Expected)/math.Abs(p.Expected)) + ")"
		}
		s += " " + at(p.Time, a.Granularity, a.Location)
	}
	s += ". Severity: " + SeverityOf(a.Score).Label() + "."
	if e := explanationOf(a); e != nil && strings.TrimSpace(e.Sentence) != "" {
		s += "\n" + esc(e.Sentence)
	} else if r := strings.TrimSpace(a.Reason); r != "" {
		s += "\n_" + esc(r) + "_"
	}
	return s
}

// previous is the History point just before the alert's bucket.
func previous(a notifiers.Alert) (notifiers.HistoryPoint, bool) {
	for i := len(a.History) - 1; i >= 0; i-- {
		if a.History[i].Time.Before(a.Time) {
			return a.History[i], true
		}
	}
	return notifiers.HistoryPoint{}, false
}

// resolvedReply is "Resolved at 17:00 UTC after 3 hours: back within the
// normal range (4,350; normal 3,900 to 4,900)."
func resolvedReply(a notifiers.Alert) string {
	s := "*Resolved " + at(a.Time, a.Granularity, a.Location)
	if d, ok := lasted(a); ok {
		s += " after " + words(d)
	}
	s += ":* "
	if r := strings.TrimSpace(a.Reason); r != "" {
		s += esc(r)
	} else {
		s += "back within the normal range"
	}
	if !math.IsNaN(a.Value) {
		s += " (" + value(a.Value, a.Unit)
		if b := band(a.Lower, a.Upper, a.Unit); b != "" {
			s += "; normal " + b
		}
		s += ")"
	}
	return s + "."
}
