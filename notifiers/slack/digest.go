package slack

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// digestLines is how many incidents a digest lists by name per channel.
const digestLines = 15

// Digest collects alerts and, on Flush, posts one summary per channel of
// the period's incidents: how many, the worst ones first, each with a link
// to its thread. It implements notifiers.Notifier: each alert is also
// delivered through the wrapped Notifier (so that incidents keep their
// threads) unless Quiet is set.
type Digest struct {
	n     *Notifier
	quiet bool

	mu        sync.Mutex
	since     time.Time
	incidents map[string]map[string]*digested // channel → incident ID → latest
}

// digested is what a digest remembers of one incident.
type digested struct {
	alert    notifiers.Alert
	first    time.Time
	worst    float64 // highest score seen
	resolved bool
}

// NewDigest returns a Digest over n. When quiet, alerts are only collected
// and the digest is the one message people get.
func NewDigest(n *Notifier, quiet bool) *Digest {
	return &Digest{n: n, quiet: quiet, incidents: map[string]map[string]*digested{}}
}

// Notify records the alert for the next digest and, unless the digest is
// quiet, delivers it.
func (d *Digest) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	ch, err := d.n.route(a)
	if err != nil {
		return false, err
	}
	d.record(ch, a)
	if d.quiet {
		return false, nil
	}
	return d.n.Notify(ctx, a)
}

func (d *Digest) record(ch string, a notifiers.Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	byID := d.incidents[ch]
	if byID == nil {
		byID = map[string]*digested{}
		d.incidents[ch] = byID
	}
	it := byID[a.ID]
	if it == nil {
		it = &digested{first: a.Time, worst: a.Score}
		byID[a.ID] = it
	}
	it.alert, it.resolved = a, a.State == notifiers.Resolved
	if finite(a.Score) && (a.Score > it.worst || !finite(it.worst)) {
		it.worst = a.Score
	}
}

// Flush posts the digest of every channel with incidents since the last
// flush, and forgets them. A channel whose post fails keeps its incidents
// for the next flush.
func (d *Digest) Flush(ctx context.Context, now time.Time) error {
	d.mu.Lock()
	pending, since := d.incidents, d.since
	d.incidents, d.since = map[string]map[string]*digested{}, now
	d.mu.Unlock()
	var errs []error
	for _, ch := range sortedChannels(pending) {
		if err := d.post(ctx, ch, pending[ch], since, now); err != nil {
			errs = append(errs, fmt.Errorf("digest for %s: %w", ch, err))
			d.restore(ch, pending[ch])
		}
	}
	return d.n.redact(errors.Join(errs...))
}

// Take moves what old collected since its last flush into d, so that a
// config reload, which builds new notifiers, loses no incident from the
// next digest. Incidents d already holds win.
func (d *Digest) Take(old *Digest) {
	if old == nil || old == d {
		return
	}
	old.mu.Lock()
	pending, since := old.incidents, old.since
	old.incidents = map[string]map[string]*digested{}
	old.mu.Unlock()
	for _, ch := range sortedChannels(pending) {
		d.restore(ch, pending[ch])
	}
	d.mu.Lock()
	if d.since.IsZero() || (!since.IsZero() && since.Before(d.since)) {
		d.since = since
	}
	d.mu.Unlock()
}

func (d *Digest) restore(ch string, items map[string]*digested) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, it := range items {
		if d.incidents[ch] == nil {
			d.incidents[ch] = map[string]*digested{}
		}
		if _, newer := d.incidents[ch][id]; !newer {
			d.incidents[ch][id] = it
		}
	}
}

func sortedChannels(m map[string]map[string]*digested) []string {
	chs := make([]string, 0, len(m))
	for ch := range m {
		chs = append(chs, ch)
	}
	sort.Strings(chs)
	return chs
}

func (d *Digest) post(ctx context.Context, ch string, items map[string]*digested, since, now time.Time) error {
	id, err := d.n.channels.resolve(ctx, ch)
	if err != nil {
		return err
	}
	list := make([]*digested, 0, len(items))
	for _, it := range items {
		list = append(list, it)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].worst != list[j].worst {
			return list[i].worst > list[j].worst
		}
		return list[i].alert.ID < list[j].alert.ID
	})
	team := d.n.teamURL(ctx)
	lines := make([]string, 0, min(len(list), digestLines))
	for _, it := range list[:min(len(list), digestLines)] {
		lines = append(lines, d.line(ctx, id, team, it))
	}
	_, err = d.n.post(ctx, id, "", digestMessage(len(list), lines, since, now))
	return err
}

// line is "• *Orders down 27% at 14:00 UTC* — Major, resolved · <link|thread>".
func (d *Digest) line(ctx context.Context, channel, team string, it *digested) string {
	a := it.alert
	first := a
	first.State = notifiers.Firing
	head := headline(first)
	if a.State == notifiers.Resolved {
		head = title(a.Rule, a.Description) + " " + at(it.first, a.Granularity, a.Location)
	}
	s := "• *" + esc(head) + "* — " + SeverityOf(it.worst).Label()
	if it.resolved {
		s += ", resolved"
	} else {
		s += ", still firing"
	}
	if ts, ok, err := d.n.threads.Thread(ctx, a.ID, channel); err == nil && ok && team != "" {
		s += " · <" + permalink(team, channel, ts) + "|thread>"
	}
	return s
}

// digestMessage lays out the digest: a header with the count and period,
// the lines in sections within Slack's limits.
func digestMessage(count int, lines []string, since, now time.Time) Message {
	noun := "incidents"
	if count == 1 {
		noun = "incident"
	}
	head := fmt.Sprintf("vigil digest: %d %s", count, noun)
	period := "up to " + now.UTC().Format("Mon 2 Jan 15:04") + " UTC"
	if !since.IsZero() {
		period = "from " + since.UTC().Format("Mon 2 Jan 15:04") + " to " + now.UTC().Format("Mon 2 Jan 15:04") + " UTC"
	}
	blocks := []slackgo.Block{
		slackgo.NewHeaderBlock(plain(truncate(head, maxHeader))),
		slackgo.NewContextBlock("", mrkdwn(period, maxTextObject)),
	}
	var b strings.Builder
	for _, l := range lines {
		l = truncate(l, maxSectionText)
		if b.Len() > 0 && runeLen(b.String())+1+runeLen(l) > maxSectionText {
			blocks = append(blocks, section(b.String()))
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	if b.Len() > 0 {
		blocks = append(blocks, section(b.String()))
	}
	if more := count - len(lines); more > 0 {
		blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more", more), maxTextObject)))
	}
	text := head + " " + period + "\n" + strings.Join(lines, "\n")
	return Message{
		Text: truncate(text, maxFallbackText), Blocks: fitBlocks(blocks),
		Metadata: slackgo.SlackMetadata{EventType: "vigil_digest", EventPayload: map[string]any{"count": count, "until": now.UTC().Format(time.RFC3339)}},
	}
}

// teamURL is the workspace's URL from auth.test, for permalinks; empty
// when it cannot be had.
func (n *Notifier) teamURL(ctx context.Context) string {
	n.teamOnce.Do(func() {
		var auth *slackgo.AuthTestResponse
		err := n.call(ctx, "auth.test", func(ctx context.Context) error {
			var err error
			auth, err = n.api.AuthTestContext(ctx)
			return err
		})
		if err != nil {
			n.log.Warn("no workspace URL for thread links", "err", n.redact(err))
			return
		}
		n.team = auth.URL
	})
	return n.team
}

// permalink is the link to the message ts in channel: the workspace URL,
// /archives/, the channel and the ts without its dot.
func permalink(team, channel, ts string) string {
	return strings.TrimSuffix(team, "/") + "/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
}
