// Package slacktest is a fake Slack Web API for tests: an httptest server
// that slack-go reaches through slack.OptionAPIURL(s.APIURL()). It records
// every call, keeps channels, messages, threads, metadata and uploaded
// files, injects faults (429 with Retry-After, 5xx, Slack errors), serves a
// Socket Mode WebSocket, and rejects, as Slack does with invalid_blocks,
// every message that breaks Slack's documented limits.
package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Call is one recorded API call.
type Call struct {
	Method string
	Params url.Values // form and query values, the token removed
	Error  string     // the Slack error or HTTP status it got, "" when ok
}

// Channel is a conversation of the fake workspace.
type Channel struct {
	ID, Name        string
	Member, Private bool
	Archived        bool
}

// Message is a message the fake holds.
type Message struct {
	Channel, TS, ThreadTS, Text string
	Blocks, Metadata            string // JSON, as sent
	Updates                     int    // chat.update calls on it
	User                        string // ephemeral messages' recipient
}

// Fault is what the next call of a method gets instead of an answer.
type Fault struct {
	Status     int    // HTTP status, e.g. 429 or 500; 0 for 200
	RetryAfter string // Retry-After header with a 429
	Error      string // Slack error code in an ok=false answer
}

// File is an uploaded file.
type File struct {
	ID, Title, Channel, ThreadTS string
	Data                         []byte
}

// Server is the fake Slack.
type Server struct {
	Token    string // the bot token it accepts
	AppToken string // the app-level token apps.connections.open accepts

	srv        *httptest.Server
	mu         sync.Mutex
	calls      []Call
	channels   []*Channel
	messages   []*Message
	ephemeral  []Message
	files      map[string]*File
	groups     map[string][]string
	faults     map[string][]Fault
	rejections []string
	seq        int64
	sock       *socket
}

// New starts a fake Slack that accepts token and appToken, closed when the
// test ends.
func New(t testing.TB, token, appToken string) *Server {
	s := &Server{Token: token, AppToken: appToken, files: map[string]*File{},
		groups: map[string][]string{}, faults: map[string][]Fault{}, sock: newSocket()}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/upload/", s.upload)
	mux.HandleFunc("/socket", s.socket)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.sock.close()
	s.srv.Close()
}

// APIURL is the Web API base URL, with the trailing slash slack-go needs.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// AddChannel adds a channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append(s.channels, &c)
}

// AddGroup adds a user group and its members.
func (s *Server) AddGroup(id string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = users
}

// Fail queues faults for the next calls of method, one per call.
func (s *Server) Fail(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Calls returns the recorded calls of method, or all calls when method is
// empty.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Rejections are the problems of every message refused for breaking a
// limit.
func (s *Server) Rejections() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejections...)
}

// TopLevel returns the channel's top-level messages, oldest first.
func (s *Server) TopLevel(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == "" {
			out = append(out, *m)
		}
	}
	return out
}

// Replies returns the replies in the thread of ts, oldest first.
func (s *Server) Replies(channel, ts string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == ts {
			out = append(out, *m)
		}
	}
	return out
}

// Ephemeral returns the ephemeral messages sent.
func (s *Server) Ephemeral() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.ephemeral...)
}

// Files returns the uploaded files, by ID order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, f := range s.files {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// api answers one Web API call.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	params := url.Values{}
	for k, v := range r.Form {
		if k != "token" {
			params[k] = v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{Method: method, Params: params}
	defer func() { s.calls = append(s.calls, call) }()
	if f, ok := s.nextFault(method); ok {
		call.Error = s.fault(w, f)
		return
	}
	want := s.Token
	if method == "apps.connections.open" {
		want = s.AppToken
	}
	if token(r) != want {
		call.Error = "invalid_auth"
		reply(w, fail("invalid_auth"))
		return
	}
	h, ok := handlers[method]
	if !ok {
		call.Error = "unknown_method"
		reply(w, fail("unknown_method"))
		return
	}
	out := h(s, r.Form)
	if e, _ := out["error"].(string); e != "" {
		call.Error = e
	}
	reply(w, out)
}

func (s *Server) nextFault(method string) (Fault, bool) {
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

func (s *Server) fault(w http.ResponseWriter, f Fault) string {
	switch {
	case f.Status == http.StatusTooManyRequests:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.WriteHeader(f.Status)
		return strconv.Itoa(f.Status)
	case f.Status >= 400:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte("<html>upstream error</html>"))
		return strconv.Itoa(f.Status)
	}
	reply(w, fail(f.Error))
	return f.Error
}

// token is the token of a request: the Authorization header's or the form's.
func token(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	return r.Form.Get("token")
}

type obj = map[string]any

func fail(code string) obj { return obj{"ok": false, "error": code} }

func reply(w http.ResponseWriter, v obj) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// newTS returns a fresh message timestamp.
func (s *Server) newTS() string {
	s.seq++
	return fmt.Sprintf("1772460000.%06d", s.seq)
}

// channel finds a channel by ID, or by name when byName.
func (s *Server) channel(ref string, byName bool) *Channel {
	for _, c := range s.channels {
		if c.ID == ref || byName && "#"+c.Name == ref || byName && c.Name == ref {
			return c
		}
	}
	return nil
}

func (s *Server) message(channel, ts string) *Message {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}
