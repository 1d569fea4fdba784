package slack

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
)

// Threads records the thread of each incident in each channel: the ts of
// its first message. The engine implements it with the state store, so
// that a restart keeps updating the same thread.
type Threads interface {
	Thread(ctx context.Context, incidentID, channel string) (ts string, ok bool, err error)
	SaveThread(ctx context.Context, incidentID, channel, ts string) error
}

// MemoryThreads is Threads in memory: for tests, and for running without a
// state store (a restart then relies on the metadata search alone).
type MemoryThreads struct {
	mu sync.Mutex
	ts map[[2]string]string
}

// NewMemoryThreads returns an empty MemoryThreads.
func NewMemoryThreads() *MemoryThreads { return &MemoryThreads{ts: map[[2]string]string{}} }

// Thread returns the incident's thread in channel.
func (m *MemoryThreads) Thread(_ context.Context, incidentID, channel string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts, ok := m.ts[[2]string{incidentID, channel}]
	return ts, ok, nil
}

// SaveThread records the incident's thread in channel.
func (m *MemoryThreads) SaveThread(_ context.Context, incidentID, channel, ts string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ts[[2]string{incidentID, channel}] = ts
	return nil
}

// maxHistoryPages bounds the conversations.history pages read when
// searching for a message: 5 pages of 200 within the look-back window.
const maxHistoryPages = 5

// posted is a vigil message found in a channel.
type posted struct {
	ts, key, state string
}

// field returns a string of the message metadata's payload.
func payloadString(md slackgo.SlackMetadata, key string) string {
	s, _ := md.EventPayload[key].(string)
	return s
}

// findIncident finds the newest top-level message of the incident in the
// channel's recent history, by its metadata.
func (n *Notifier) findIncident(ctx context.Context, channel, incidentID string) (*posted, error) {
	want := metaValue(incidentID)
	return n.scan(ctx, channel, func(md slackgo.SlackMetadata) bool {
		return payloadString(md, "incident_id") == want
	})
}

// scan reads the channel's history within the look-back window, newest
// first, for a vigil message whose metadata matches.
func (n *Notifier) scan(ctx context.Context, channel string, match func(slackgo.SlackMetadata) bool) (*posted, error) {
	return n.scanType(ctx, channel, eventType, match)
}

// scanType is scan for messages of the metadata event type evType.
func (n *Notifier) scanType(ctx context.Context, channel, evType string, match func(slackgo.SlackMetadata) bool) (*posted, error) {
	params := &slackgo.GetConversationHistoryParameters{
		ChannelID: channel, Limit: 200, IncludeAllMetadata: true,
		Oldest: slackTS(n.clock.Now().Add(-n.lookBack)),
	}
	for range maxHistoryPages {
		var resp *slackgo.GetConversationHistoryResponse
		err := n.call(ctx, "conversations.history", func(ctx context.Context) error {
			var err error
			resp, err = n.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("search %s for the incident's message: %w", channel, err)
		}
		for _, m := range resp.Messages {
			if p := matching(m.Msg, evType, match); p != nil {
				return p, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return nil, nil
}

func matching(m slackgo.Msg, evType string, match func(slackgo.SlackMetadata) bool) *posted {
	if m.Metadata.EventType != evType || !match(m.Metadata) {
		return nil
	}
	return &posted{ts: m.Timestamp, key: payloadString(m.Metadata, "delivery_key"), state: payloadString(m.Metadata, "state")}
}

// replied reports whether the thread at ts already holds the reply of the
// delivery key, so that a retried or replayed delivery does not reply
// twice.
func (n *Notifier) replied(ctx context.Context, channel, ts, key string) (bool, error) {
	params := &slackgo.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: ts, Limit: 200, IncludeAllMetadata: true,
	}
	want := metaValue(key)
	for range maxHistoryPages {
		var msgs []slackgo.Message
		var more bool
		var next string
		err := n.call(ctx, "conversations.replies", func(ctx context.Context) error {
			var err error
			msgs, more, next, err = n.api.GetConversationRepliesContext(ctx, params)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("read the incident's thread: %w", err)
		}
		for _, m := range msgs {
			if m.Timestamp != ts && m.Metadata.EventType == eventType && payloadString(m.Metadata, "delivery_key") == want {
				return true, nil
			}
		}
		if !more || next == "" {
			break
		}
		params.Cursor = next
	}
	return false, nil
}

// Delivered reports whether a message of the delivery key is in one of the
// notifier's channels within the look-back window. An incident's first
// message carries the key of its latest delivery, since each update
// rewrites its metadata.
func (n *Notifier) Delivered(ctx context.Context, key string) (bool, error) {
	want := metaValue(key)
	for _, ch := range n.configuredChannels() {
		id, err := n.channels.resolve(ctx, ch)
		if err != nil {
			return false, n.redact(err)
		}
		p, err := n.scan(ctx, id, func(md slackgo.SlackMetadata) bool {
			return payloadString(md, "delivery_key") == want
		})
		if err != nil {
			return false, n.redact(err)
		}
		if p != nil {
			return true, nil
		}
	}
	return false, nil
}

// slackTS formats t as a Slack timestamp, "1700000000.000000".
func slackTS(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + fmt.Sprintf("%06d", t.Nanosecond()/1000)
}
