package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"vigil/config"
	"vigil/internal/state"
	"vigil/notifiers"
	"vigil/notifiers/slack"
)

// slackTimeout bounds one delivery to Slack: a post or update, a thread
// reply and a chart upload, each retried within the call on a rate limit;
// the outbox retries longer outages.
const slackTimeout = 2 * time.Minute

// SlackOptions returns the options of the Slack notifier nc, without its
// Threads, Clock, Logger or API URL.
func SlackOptions(nc config.Notifier, configPath string) slack.Options {
	return slack.Options{
		Token: nc.Token, Channel: nc.Channel, ChannelBySeverity: nc.ChannelBySeverity,
		Mentions: nc.Mentions, Chart: slack.ChartMode(nc.Chart), Digest: nc.Digest, ConfigPath: configPath,
	}
}

// slackSide is what runs beside a Slack notifier: its digest, flushed on
// its schedule, and the Socket Mode listener of its buttons.
type slackSide struct {
	name     string
	notifier *slack.Notifier
	digest   bool // collect incidents and post digests on schedule
	schedule string
	listener *slack.Listener // nil without an app token or a store
	loc      *time.Location  // of the digest schedule
}

// buildSlack builds the Slack notifier nc: threads kept in the store when
// there is one, and, when there is (vigil run), a digest when it has a
// schedule and a listener for its buttons when it has an app token.
func buildSlack(cfg *config.Config, nc config.Notifier, opts Options) (notifiers.Notifier, *slackSide, error) {
	log := opts.Logger.With("notifier", nc.Name)
	so := SlackOptions(nc, cfg.File)
	so.APIURL, so.Logger, so.Clock = opts.SlackAPIURL, log, engineClock{now: opts.Now}
	if opts.Store != nil {
		so.Threads = stateThreads{store: opts.Store, notifier: nc.Name, mem: slack.NewMemoryThreads()}
	} else {
		so.Threads = slack.NewMemoryThreads()
	}
	n, err := slack.New(so)
	if err != nil {
		return nil, nil, err
	}
	side := &slackSide{name: nc.Name, notifier: n, schedule: nc.Digest, loc: defaultsZone(cfg)}
	var out notifiers.Notifier = n
	if nc.Digest != "" && opts.Store != nil { // vigil once has no schedule to flush on: it posts
		side.digest = true
		if nc.DigestOnly {
			out = digestOnly{}
		}
	}
	if nc.AppToken != "" && opts.Store != nil {
		l, err := slack.NewListener(slack.ListenerOptions{
			AppToken: nc.AppToken, BotToken: nc.Token,
			AllowedChannels: nc.AllowedChannels, AllowedUsers: nc.AllowedUsers, AllowedGroups: nc.AllowedGroups,
			Location: defaultsZone(cfg), APIURL: opts.SlackAPIURL, Logger: log,
		}, NewStoreActions(opts.Store, cfg, opts.Now))
		if err != nil {
			return nil, nil, fmt.Errorf("buttons: %w", err)
		}
		side.listener = l
	}
	return notifiers.Chain(out, notifiers.WithTimeout(slackTimeout)), side, nil
}

// engineClock is the engine's clock as a Slack clock: the window in which
// the notifier looks for its messages ends at the engine's now.
type engineClock struct {
	now func() time.Time
	slack.SystemClock
}

func (c engineClock) Now() time.Time { return c.now() }

// stateThreads keeps each incident's Slack thread in the incident's Refs,
// under the notifier's name, so that a restart updates the same message.
// Alerts that are not incidents of the store (a rule's failures) keep
// their threads in memory.
type stateThreads struct {
	store    *state.Store
	notifier string
	mem      *slack.MemoryThreads
}

// refKey is where the thread of the notifier in channel is kept: under the
// notifier's name, or with the channel added when the incident moved to a
// second channel (its severity changed).
func (t stateThreads) refKey(inc state.Incident, channel string) string {
	if r, ok := inc.Refs[t.notifier]; !ok || r.Channel == channel {
		return t.notifier
	}
	return t.notifier + " " + channel
}

// Thread returns the incident's thread in channel.
func (t stateThreads) Thread(ctx context.Context, incidentID, channel string) (string, bool, error) {
	inc, ok, err := t.store.GetIncident(incidentID)
	if err != nil {
		return "", false, fmt.Errorf("read the thread of %s: %w", incidentID, err)
	}
	if !ok {
		return t.memory().Thread(ctx, incidentID, channel)
	}
	r, ok := inc.Refs[t.refKey(inc, channel)]
	if !ok || r.Channel != channel || r.TS == "" {
		return "", false, nil
	}
	return r.TS, true, nil
}

// SaveThread records the incident's thread in channel.
func (t stateThreads) SaveThread(ctx context.Context, incidentID, channel, ts string) error {
	_, err := t.store.UpdateIncident(incidentID, func(inc *state.Incident) error {
		if inc.Refs == nil {
			inc.Refs = map[string]state.Ref{}
		}
		inc.Refs[t.refKey(*inc, channel)] = state.Ref{Channel: channel, TS: ts}
		return nil
	})
	if errors.Is(err, state.ErrNotFound) {
		return t.memory().SaveThread(ctx, incidentID, channel, ts)
	}
	if err != nil {
		return fmt.Errorf("record the thread of %s: %w", incidentID, err)
	}
	return nil
}

func (t stateThreads) memory() *slack.MemoryThreads { return t.mem }

// defaultsZone is the zone of the defaults, for the times buttons note.
func defaultsZone(cfg *config.Config) *time.Location {
	if loc, err := time.LoadLocation(cfg.Defaults.Timezone); err == nil {
		return loc
	}
	return time.UTC
}
