package slack

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	slackgo "github.com/slack-go/slack"
)

// channelID matches a conversation ID: public (C), private (G) or direct
// (D) channel.
var channelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// maxListPages bounds the conversations.list pages read to resolve a name.
const maxListPages = 20

// channelCache resolves channel names ("#growth-alerts") to IDs once:
// chat.update and conversations.history need IDs.
type channelCache struct {
	n  *Notifier
	mu sync.Mutex
	id map[string]string
}

func newChannelCache(n *Notifier) *channelCache {
	return &channelCache{n: n, id: map[string]string{}}
}

// resolve returns the ID of the channel named ch, or ch when it is an ID.
func (c *channelCache) resolve(ctx context.Context, ch string) (string, error) {
	name := strings.TrimPrefix(strings.TrimSpace(ch), "#")
	if channelID.MatchString(name) {
		return name, nil
	}
	c.mu.Lock()
	id, ok := c.id[name]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := c.lookup(ctx, name)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.id[name] = id
	c.mu.Unlock()
	return id, nil
}

// lookup pages through the conversations the app can see for name.
func (c *channelCache) lookup(ctx context.Context, name string) (string, error) {
	params := &slackgo.GetConversationsParameters{
		ExcludeArchived: true, Limit: 200, Types: []string{"public_channel", "private_channel"},
	}
	for range maxListPages {
		var chans []slackgo.Channel
		var next string
		err := c.n.call(ctx, "conversations.list", func(ctx context.Context) error {
			var err error
			chans, next, err = c.n.api.GetConversationsContext(ctx, params)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("find channel #%s: %w", name, err)
		}
		for _, ch := range chans {
			if ch.Name == name {
				return ch.ID, nil
			}
		}
		if next == "" {
			break
		}
		params.Cursor = next
	}
	return "", &PermanentError{Code: "channel_not_found", Err: fmt.Errorf("channel #%s not found", name),
		Hint: "check the name; the app sees public channels and the private channels it was invited to"}
}

// errNotMember is Check's finding that the bot is not in a channel.
var errNotMember = errors.New("the app is not a member of the channel")
