package slacktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// socket is the fake's Socket Mode connection: it sends envelopes and
// collects the acknowledgements.
type socket struct {
	mu     sync.Mutex
	conn   *websocket.Conn
	ready  chan struct{} // closed once a client connected
	acks   map[string]json.RawMessage
	ackCh  chan string
	seq    int
	closed bool
	conns  int // connections that got their hello
}

func newSocket() *socket {
	return &socket{ready: make(chan struct{}), acks: map[string]json.RawMessage{}, ackCh: make(chan string, 64)}
}

// upgrader accepts the Origin slack-go sends (https://api.slack.com).
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket serves the WebSocket that apps.connections.open points at: it
// says hello, then reads acknowledgements until the client leaves.
func (s *Server) socket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sk := s.sock
	sk.mu.Lock()
	if sk.closed {
		sk.mu.Unlock()
		_ = conn.Close()
		return
	}
	first := sk.conn == nil
	sk.conn = conn
	err = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
	if err == nil {
		sk.conns++
	}
	sk.mu.Unlock()
	if err != nil {
		return
	}
	if first {
		close(sk.ready)
	}
	for {
		var res struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&res); err != nil {
			return
		}
		sk.mu.Lock()
		sk.acks[res.EnvelopeID] = res.Payload
		sk.mu.Unlock()
		sk.ackCh <- res.EnvelopeID
	}
}

func (sk *socket) close() {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	sk.closed = true
	if sk.conn != nil {
		_ = sk.conn.Close()
	}
}

// Interact sends an interactive envelope carrying payload (a block_actions
// payload as Slack sends it) to the connected Socket Mode client, waiting
// up to timeout for it to connect, and returns the envelope ID.
func (s *Server) Interact(payload any, timeout time.Duration) (string, error) {
	sk := s.sock
	select {
	case <-sk.ready:
	case <-time.After(timeout):
		return "", errors.New("no Socket Mode client connected")
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	sk.mu.Lock()
	defer sk.mu.Unlock()
	sk.seq++
	id := fmt.Sprintf("env-%d", sk.seq)
	return id, sk.conn.WriteJSON(map[string]any{
		"type": "interactive", "envelope_id": id, "payload": json.RawMessage(raw), "accepts_response_payload": false,
	})
}

// Connections is how many Socket Mode connections were opened so far;
// Interact sends on the latest.
func (s *Server) Connections() int {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	return s.sock.conns
}

// WaitAck waits up to timeout for the client to acknowledge the envelope.
func (s *Server) WaitAck(envelopeID string, timeout time.Duration) error {
	sk := s.sock
	deadline := time.After(timeout)
	for {
		sk.mu.Lock()
		_, ok := sk.acks[envelopeID]
		sk.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-sk.ackCh:
		case <-deadline:
			return fmt.Errorf("envelope %s was not acknowledged", envelopeID)
		}
	}
}
