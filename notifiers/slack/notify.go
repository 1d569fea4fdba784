package slack

import (
	"context"
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// Notify delivers one event of an incident. The first event posts the
// incident's message and records its thread; later ones update that
// message in place and reply in the thread with what changed; a resolved
// event turns the message into its resolved form. retry says whether a
// failure may pass when tried again later.
func (n *Notifier) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	err := n.notify(ctx, a)
	if err != nil {
		err = n.redact(fmt.Errorf("slack: alert %q: %w", a.ID, err))
	}
	return Retryable(err), err
}

func (n *Notifier) notify(ctx context.Context, a notifiers.Alert) error {
	if a.ID == "" {
		return &PermanentError{Code: "no_incident_id", Err: errors.New("the alert has no incident ID")}
	}
	ch, err := n.route(a)
	if err != nil {
		return err
	}
	id, err := n.channels.resolve(ctx, ch)
	if err != nil {
		return err
	}
	ts, ok, err := n.threads.Thread(ctx, a.ID, id)
	if err != nil {
		return fmt.Errorf("look up the incident's thread: %w", err)
	}
	if !ok {
		p, err := n.findIncident(ctx, id, a.ID)
		if err != nil {
			return err
		}
		if p != nil {
			return n.adopt(ctx, a, id, p)
		}
		return n.first(ctx, a, id)
	}
	return n.later(ctx, a, id, ts)
}

// adopt takes over a message posted for the incident before a restart
// lost its record: it records the thread, and goes on as for a later event
// unless the message is this very delivery.
func (n *Notifier) adopt(ctx context.Context, a notifiers.Alert, channel string, p *posted) error {
	n.log.Info("found the incident's message in the channel; reusing it", "incident", a.ID, "channel", channel, "ts", p.ts)
	if err := n.threads.SaveThread(ctx, a.ID, channel, p.ts); err != nil {
		return fmt.Errorf("record the incident's thread: %w", err)
	}
	if p.key == metaValue(a.DeliveryKey()) {
		return nil
	}
	return n.later(ctx, a, channel, p.ts)
}

// first posts the incident's message and records its thread.
func (n *Notifier) first(ctx context.Context, a notifiers.Alert, channel string) error {
	ts, err := n.post(ctx, channel, "", n.render.message(a))
	if err != nil {
		return err
	}
	n.log.Info("posted alert", "incident", a.ID, "channel", channel, "ts", ts, "state", string(stateOf(a)))
	if err := n.threads.SaveThread(ctx, a.ID, channel, ts); err != nil {
		return fmt.Errorf("record the incident's thread: %w", err)
	}
	n.attachChart(ctx, a, channel, ts)
	return nil
}

// later updates the incident's message and replies in its thread, once.
func (n *Notifier) later(ctx context.Context, a notifiers.Alert, channel, ts string) error {
	err := n.update(ctx, channel, ts, n.render.message(a))
	var perr *PermanentError
	if errors.As(err, &perr) && perr.Code == "message_not_found" {
		n.log.Warn("the incident's message is gone; posting a new one", "incident", a.ID, "channel", channel)
		return n.first(ctx, a, channel)
	}
	if err != nil {
		return err
	}
	done, err := n.replied(ctx, channel, ts, a.DeliveryKey())
	if err != nil || done {
		return err
	}
	if _, err := n.post(ctx, channel, ts, n.render.reply(a)); err != nil {
		return err
	}
	n.log.Info("updated alert", "incident", a.ID, "channel", channel, "ts", ts, "state", string(stateOf(a)))
	return nil
}

// msgOptions are the options of a message's text, blocks and metadata,
// when it has some.
func msgOptions(m Message) []slackgo.MsgOption {
	opts := []slackgo.MsgOption{
		slackgo.MsgOptionText(m.Text, false),
		slackgo.MsgOptionBlocks(m.Blocks...),
		slackgo.MsgOptionDisableLinkUnfurl(),
	}
	if m.Metadata.EventType != "" {
		opts = append(opts, slackgo.MsgOptionMetadata(m.Metadata))
	}
	return opts
}

// post posts m to the channel, in the thread of threadTS when it is set,
// and returns the new message's ts.
func (n *Notifier) post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	opts := msgOptions(m)
	if threadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(threadTS))
	}
	var ts string
	err := n.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = n.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// update replaces the message at ts with m.
func (n *Notifier) update(ctx context.Context, channel, ts string, m Message) error {
	return n.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := n.api.UpdateMessageContext(ctx, channel, ts, msgOptions(m)...)
		return err
	})
}
