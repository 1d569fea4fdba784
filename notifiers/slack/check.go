package slack

import (
	"context"
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"
)

// Check verifies, for vigil check --online, that the token works
// (auth.test) and that every configured channel exists and has the app as
// a member (conversations.info). It returns every problem found.
func (n *Notifier) Check(ctx context.Context) error {
	var auth *slackgo.AuthTestResponse
	err := n.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		auth, err = n.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return n.redact(fmt.Errorf("slack: token: %w", err))
	}
	n.log.Debug("slack token works", "team", auth.Team, "bot", auth.User)
	var errs []error
	for _, ch := range n.configuredChannels() {
		if err := n.checkChannel(ctx, ch); err != nil {
			errs = append(errs, fmt.Errorf("slack: channel %s: %w", ch, err))
		}
	}
	return n.redact(errors.Join(errs...))
}

func (n *Notifier) checkChannel(ctx context.Context, ch string) error {
	id, err := n.channels.resolve(ctx, ch)
	if err != nil {
		return err
	}
	var info *slackgo.Channel
	err = n.call(ctx, "conversations.info", func(ctx context.Context) error {
		var err error
		info, err = n.api.GetConversationInfoContext(ctx, &slackgo.GetConversationInfoInput{ChannelID: id})
		return err
	})
	switch {
	case err != nil:
		return err
	case info.IsArchived:
		return &PermanentError{Code: "is_archived", Err: errors.New("the channel is archived"), Hint: hints["is_archived"]}
	case !info.IsMember:
		return &PermanentError{Code: "not_in_channel", Err: errNotMember,
			Hint: "invite it with /invite @vigil: it needs to be a member to update its messages and find them after a restart"}
	}
	return nil
}
