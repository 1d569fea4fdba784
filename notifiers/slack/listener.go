package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Actions is what people can do to an incident from its message. The
// engine implements it with the state store.
type Actions interface {
	Acknowledge(ctx context.Context, incidentID, user string) error
	Snooze(ctx context.Context, incidentID, user string, until time.Time, untilRecovery bool) error
	NotAnomaly(ctx context.Context, incidentID, user string) error
}

// ListenerOptions configure a Listener.
type ListenerOptions struct {
	AppToken string // app-level token (xapp-…) with connections:write; secret
	BotToken string // bot token (xoxb-…) to update messages; secret
	// AllowedChannels, AllowedUsers and AllowedGroups restrict who may act
	// where: channel IDs or names, user IDs, user group IDs. Empty allows
	// all; users pass when listed or in a listed group.
	AllowedChannels []string
	AllowedUsers    []string
	AllowedGroups   []string
	Location        *time.Location // of the times in notes; default UTC

	APIURL     string
	HTTPClient *http.Client
	Clock      Clock
	Logger     *slog.Logger
}

// acker acknowledges Socket Mode requests; *socketmode.Client is one.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// Listener receives button clicks over Socket Mode, acknowledges each,
// checks who clicked where, calls Actions, and notes the action on the
// message and in its thread.
type Listener struct {
	n       *Notifier // for Web API calls with retries and redaction
	sm      *socketmode.Client
	ack     acker
	actions Actions
	opts    ListenerOptions
	appTok  string
}

// NewListener checks opts and returns a Listener; Run connects it.
func NewListener(opts ListenerOptions, actions Actions) (*Listener, error) {
	var errs []error
	if !strings.HasPrefix(opts.AppToken, "xapp-") {
		errs = append(errs, errors.New("app token: want the app-level xapp- token, e.g. from ${SLACK_APP_TOKEN}"))
	}
	if !strings.HasPrefix(opts.BotToken, "xoxb-") {
		errs = append(errs, errors.New("bot token: want the xoxb- token, e.g. from ${SLACK_BOT_TOKEN}"))
	}
	if actions == nil {
		errs = append(errs, errors.New("no Actions to call"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n, err := New(Options{Token: opts.BotToken, Channel: "-", APIURL: opts.APIURL, HTTPClient: opts.HTTPClient,
		Clock: opts.Clock, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	api := slackgo.New(opts.BotToken, append(apiOptions(opts.APIURL, opts.HTTPClient), slackgo.OptionAppLevelToken(opts.AppToken))...)
	sm := socketmode.New(api)
	return &Listener{n: n, sm: sm, ack: sm, actions: actions, opts: opts, appTok: opts.AppToken}, nil
}

// Run connects over Socket Mode and handles events until ctx is done.
func (l *Listener) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- l.sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return l.redact(fmt.Errorf("slack socket mode: %w", err))
		case evt := <-l.sm.Events:
			l.handle(ctx, evt)
		}
	}
}

func (l *Listener) redact(err error) error {
	return redactToken(l.n.redact(err), l.appTok)
}

// handle processes one Socket Mode event: every request is acknowledged
// first, within Slack's three seconds; block actions are then carried out.
func (l *Listener) handle(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		l.n.log.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		l.n.log.Warn("slack socket mode connection failed", "event", string(evt.Type))
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return
	}
	if err := l.ack.Ack(*evt.Request); err != nil {
		l.n.log.Warn("slack socket mode ack failed", "err", l.redact(err))
	}
	cb, ok := evt.Data.(slackgo.InteractionCallback)
	if evt.Type != socketmode.EventTypeInteractive || !ok || cb.Type != slackgo.InteractionTypeBlockActions {
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		l.act(ctx, cb, a)
	}
}

// act carries out one button click.
func (l *Listener) act(ctx context.Context, cb slackgo.InteractionCallback, a *slackgo.BlockAction) {
	log := l.n.log.With("action", a.ActionID, "user", cb.User.ID, "channel", channelOf(cb))
	if !knownAction(a.ActionID) {
		log.Warn("unknown slack action ignored")
		return
	}
	ok, err := l.allowed(ctx, cb)
	if err != nil {
		log.Error("could not check who may act", "err", l.redact(err))
	}
	if !ok {
		log.Info("slack action refused")
		l.ephemeral(ctx, cb, "Sorry, you can't act on vigil alerts here. Ask the rule's owner, or whoever runs vigil, to add you.")
		return
	}
	note, err := l.perform(ctx, a.ActionID, a.Value, cb.User.ID)
	if err != nil {
		log.Error("slack action failed", "incident", a.Value, "err", l.redact(err))
		l.ephemeral(ctx, cb, "vigil could not record that; please try again in a minute.")
		return
	}
	log.Info("slack action", "incident", a.Value)
	l.note(ctx, cb, a, note)
}

func knownAction(id string) bool {
	switch id {
	case ActionAcknowledge, ActionSnoozeHour, ActionSnoozeDay, ActionSnoozeRecover, ActionNotAnomaly:
		return true
	}
	return false
}

// perform calls Actions and returns the note that records it.
func (l *Listener) perform(ctx context.Context, action, incident, user string) (string, error) {
	now := l.n.clock.Now()
	who := "<@" + user + ">"
	switch action {
	case ActionAcknowledge:
		return "Acknowledged by " + who + " " + l.at(now), l.actions.Acknowledge(ctx, incident, user)
	case ActionSnoozeHour, ActionSnoozeDay:
		until := now.Add(time.Hour)
		if action == ActionSnoozeDay {
			until = now.Add(24 * time.Hour)
		}
		return "Snoozed by " + who + " until " + l.when(until), l.actions.Snooze(ctx, incident, user, until, false)
	case ActionSnoozeRecover:
		return "Snoozed by " + who + " until it recovers", l.actions.Snooze(ctx, incident, user, time.Time{}, true)
	}
	return "Marked not an anomaly by " + who + " " + l.at(now), l.actions.NotAnomaly(ctx, incident, user)
}

func (l *Listener) at(t time.Time) string { return "at " + l.when(t) }

// when is "14:12 UTC", with the date when it is not today.
func (l *Listener) when(t time.Time) string {
	z := loc(l.opts.Location)
	s := t.In(z).Format("15:04") + " " + zoneName(t, z)
	if t.In(z).YearDay() != l.n.clock.Now().In(z).YearDay() {
		s = t.In(z).Format("Mon 2 Jan ") + s
	}
	return s
}

// allowed says whether the clicking user may act in this channel.
func (l *Listener) allowed(ctx context.Context, cb slackgo.InteractionCallback) (bool, error) {
	o := l.opts
	if len(o.AllowedChannels) > 0 && !slices.Contains(o.AllowedChannels, channelOf(cb)) &&
		!slices.Contains(o.AllowedChannels, cb.Channel.Name) && !slices.Contains(o.AllowedChannels, "#"+cb.Channel.Name) {
		return false, nil
	}
	if len(o.AllowedUsers) == 0 && len(o.AllowedGroups) == 0 || slices.Contains(o.AllowedUsers, cb.User.ID) {
		return true, nil
	}
	var errs []error
	for _, g := range o.AllowedGroups {
		var members []string
		err := l.n.call(ctx, "usergroups.users.list", func(ctx context.Context) error {
			var err error
			members, err = l.n.api.GetUserGroupMembersContext(ctx, g)
			return err
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if slices.Contains(members, cb.User.ID) {
			return true, nil
		}
	}
	return false, errors.Join(errs...)
}

func channelOf(cb slackgo.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// ephemeral tells only the clicking user.
func (l *Listener) ephemeral(ctx context.Context, cb slackgo.InteractionCallback, text string) {
	err := l.n.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := l.n.api.PostEphemeralContext(ctx, channelOf(cb), cb.User.ID, slackgo.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		l.n.log.Warn("ephemeral reply failed", "err", l.redact(err))
	}
}

// statusBlockID names the context block that notes what people did.
const statusBlockID = "vigil_status"

// note rewrites the message with the action noted where the buttons were,
// keeping the buttons that still make sense, and replies in its thread.
func (l *Listener) note(ctx context.Context, cb slackgo.InteractionCallback, a *slackgo.BlockAction, note string) {
	ts := cb.Message.Timestamp
	if ts == "" {
		ts = cb.Container.MessageTs
	}
	m := Message{Text: nonEmpty(cb.Message.Text, note), Blocks: noted(cb.Message.Blocks.BlockSet, a, note), Metadata: cb.Message.Metadata}
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(m.Text, false), slackgo.MsgOptionBlocks(m.Blocks...)}
	if m.Metadata.EventType != "" {
		opts = append(opts, slackgo.MsgOptionMetadata(m.Metadata))
	}
	ch := channelOf(cb)
	err := l.n.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := l.n.api.UpdateMessageContext(ctx, ch, ts, opts...)
		return err
	})
	if err != nil {
		l.n.log.Warn("could not note the action on the message", "err", l.redact(err))
	}
	if _, err := l.n.post(ctx, ch, ts, Message{Text: note, Blocks: []slackgo.Block{section(note)}}); err != nil {
		l.n.log.Warn("could not note the action in the thread", "err", l.redact(err))
	}
}

// noted is the message's blocks with the buttons and any earlier note
// replaced by the new note and the buttons left to use.
func noted(blocks []slackgo.Block, a *slackgo.BlockAction, note string) []slackgo.Block {
	out := make([]slackgo.Block, 0, len(blocks)+1)
	for _, b := range blocks {
		if b.ID() == actionsBlockID || b.ID() == statusBlockID {
			continue
		}
		out = append(out, b)
	}
	out = append(out, slackgo.NewContextBlock(statusBlockID, mrkdwn(note, maxTextObject)))
	if a.ActionID != ActionNotAnomaly && a.Value != "" && runeLen(a.Value) <= maxButtonValue {
		skip := ""
		if a.ActionID == ActionAcknowledge {
			skip = ActionAcknowledge
		}
		out = append(out, buttonsExcept(a.Value, skip))
	}
	return fitBlocks(out)
}
