package slack

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// digestLines is how many incidents a digest lists by name per channel.
const digestLines = 15

// digestEventType is the metadata event type of a digest message.
const digestEventType = "vigil_digest"

// DigestItem is one incident as a digest lists it: its latest alert, the
// time of its first, the worst score seen and whether it resolved. The
// engine keeps the items of the next digest in its state store, so that
// a restart loses none.
type DigestItem struct {
	Alert    notifiers.Alert
	First    time.Time
	Worst    float64 // highest score seen; NaN when none had one
	Resolved bool
}

// Add records a, the incident's latest alert. On the zero DigestItem it
// records the first.
func (it *DigestItem) Add(a notifiers.Alert) {
	if it.Alert.ID == "" {
		it.First, it.Worst = a.Time, a.Score
	}
	it.Alert, it.Resolved = a, a.State == notifiers.Resolved
	if finite(a.Score) && (a.Score > it.Worst || !finite(it.Worst)) {
		it.Worst = a.Score
	}
}

// Merge folds later, what was collected about the same incident after it,
// into it: the latest alert and whether it resolved come from later; the
// first time and the worst score span both. It puts back the item of a
// digest that could not be posted beside what was collected since.
func (it *DigestItem) Merge(later DigestItem) {
	first, worst := it.First, it.Worst
	*it = later
	if !first.IsZero() && (it.First.IsZero() || first.Before(it.First)) {
		it.First = first
	}
	if finite(worst) && (!finite(it.Worst) || worst > it.Worst) {
		it.Worst = worst
	}
}

// Digest is one summary to post in one channel: how many incidents the
// period from Since (zero: none known) to Until had, the worst first, each
// with a link to its thread.
type Digest struct {
	// Key identifies the post, as a delivery key does an alert: the
	// message carries it, so DigestPosted can tell that a post whose
	// record a crash lost was made.
	Key     string
	Channel string
	Since   time.Time
	Until   time.Time
	Items   []DigestItem
}

// DigestChannel returns the channel the digest lists a's incident in: the
// one its alerts go to.
func (n *Notifier) DigestChannel(a notifiers.Alert) (string, error) {
	ch, err := n.route(a)
	return ch, n.redact(err)
}

// PostDigest posts d. retry says whether a failure may pass when tried
// again later. An empty digest posts nothing.
func (n *Notifier) PostDigest(ctx context.Context, d Digest) (bool, error) {
	if len(d.Items) == 0 {
		return false, nil
	}
	err := n.postDigest(ctx, d)
	if err != nil {
		err = n.redact(fmt.Errorf("slack: digest for %s: %w", d.Channel, err))
	}
	return Retryable(err), err
}

// DigestPosted reports whether the digest of key is in channel within the
// look-back window.
func (n *Notifier) DigestPosted(ctx context.Context, channel, key string) (bool, error) {
	id, err := n.channels.resolve(ctx, channel)
	if err != nil {
		return false, n.redact(err)
	}
	want := metaValue(key)
	p, err := n.scanType(ctx, id, digestEventType, func(md slackgo.SlackMetadata) bool {
		return payloadString(md, "delivery_key") == want
	})
	return p != nil, n.redact(err)
}

func (n *Notifier) postDigest(ctx context.Context, d Digest) error {
	id, err := n.channels.resolve(ctx, d.Channel)
	if err != nil {
		return err
	}
	list := slices.Clone(d.Items)
	slices.SortStableFunc(list, func(x, y DigestItem) int { // worst first
		if c := cmp.Compare(orderScore(y.Worst), orderScore(x.Worst)); c != 0 {
			return c
		}
		return cmp.Compare(x.Alert.ID, y.Alert.ID)
	})
	team := n.teamURL(ctx)
	lines := make([]string, 0, min(len(list), digestLines))
	for _, it := range list[:min(len(list), digestLines)] {
		lines = append(lines, n.digestLine(ctx, id, team, it))
	}
	_, err = n.post(ctx, id, "", digestMessage(d.Key, len(list), lines, d.Since, d.Until))
	return err
}

// orderScore ranks an item without a score (NaN) last.
func orderScore(x float64) float64 {
	if math.IsNaN(x) {
		return math.Inf(-1)
	}
	return x
}

// digestLine is "• *Orders down 27% at 14:00 UTC* — Major, resolved · <link|thread>".
func (n *Notifier) digestLine(ctx context.Context, channel, team string, it DigestItem) string {
	a := it.Alert
	first := a
	first.State = notifiers.Firing
	head := headline(first)
	if a.State == notifiers.Resolved {
		head = title(a.Rule, a.Description) + " " + at(it.First, a.Granularity, a.Location)
	}
	s := "• *" + esc(head) + "* — " + SeverityOf(it.Worst).Label()
	if it.Resolved {
		s += ", resolved"
	} else {
		s += ", still firing"
	}
	if ts, ok, err := n.threads.Thread(ctx, a.ID, channel); err == nil && ok && team != "" {
		s += " · <" + permalink(team, channel, ts) + "|thread>"
	}
	return s
}

// digestMessage lays out the digest: a header with the count and period,
// the lines in sections within Slack's limits, and metadata with its key.
func digestMessage(key string, count int, lines []string, since, now time.Time) Message {
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
		Metadata: slackgo.SlackMetadata{EventType: digestEventType, EventPayload: map[string]any{
			"count": count, "until": now.UTC().Format(time.RFC3339), "delivery_key": metaValue(key)}},
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
