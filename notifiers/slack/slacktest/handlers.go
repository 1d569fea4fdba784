package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// handlers answer the Web API methods the fake knows.
var handlers = map[string]func(*Server, url.Values) obj{
	"auth.test":                    (*Server).authTest,
	"conversations.list":           (*Server).conversationsList,
	"conversations.info":           (*Server).conversationsInfo,
	"conversations.history":        (*Server).conversationsHistory,
	"conversations.replies":        (*Server).conversationsReplies,
	"chat.postMessage":             (*Server).chatPostMessage,
	"chat.update":                  (*Server).chatUpdate,
	"chat.postEphemeral":           (*Server).chatPostEphemeral,
	"files.getUploadURLExternal":   (*Server).getUploadURL,
	"files.completeUploadExternal": (*Server).completeUpload,
	"usergroups.users.list":        (*Server).usergroupUsers,
	"apps.connections.open":        (*Server).connectionsOpen,
}

func (s *Server) authTest(url.Values) obj {
	return obj{"ok": true, "url": "https://vigil-test.slack.com/", "team": "Vigil Test", "user": "vigil",
		"team_id": "T0000001", "user_id": "U0000BOT", "bot_id": "B0000BOT"}
}

func channelObj(c *Channel) obj {
	return obj{"id": c.ID, "name": c.Name, "is_channel": !c.Private, "is_group": c.Private,
		"is_private": c.Private, "is_member": c.Member, "is_archived": c.Archived}
}

func (s *Server) conversationsList(v url.Values) obj {
	var visible []obj
	for _, c := range s.channels {
		if (!c.Private || c.Member) && !(c.Archived && v.Get("exclude_archived") == "true") {
			visible = append(visible, channelObj(c))
		}
	}
	page, next := paginate(len(visible), v)
	return obj{"ok": true, "channels": visible[page[0]:page[1]], "response_metadata": obj{"next_cursor": next}}
}

// paginate picks the page [from, to) of n items that the limit and cursor
// ask for, and the next cursor.
func paginate(n int, v url.Values) ([2]int, string) {
	from, _ := strconv.Atoi(v.Get("cursor"))
	limit, err := strconv.Atoi(v.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	from = min(from, n)
	to := min(from+limit, n)
	next := ""
	if to < n {
		next = strconv.Itoa(to)
	}
	return [2]int{from, to}, next
}

func (s *Server) conversationsInfo(v url.Values) obj {
	c := s.channel(v.Get("channel"), false)
	if c == nil || c.Private && !c.Member {
		return fail("channel_not_found")
	}
	return obj{"ok": true, "channel": channelObj(c)}
}

// readable returns the channel whose history the bot may read.
func (s *Server) readable(id string) (*Channel, string) {
	c := s.channel(id, false)
	switch {
	case c == nil:
		return nil, "channel_not_found"
	case !c.Member:
		return nil, "not_in_channel"
	}
	return c, ""
}

func (s *Server) conversationsHistory(v url.Values) obj {
	c, code := s.readable(v.Get("channel"))
	if c == nil {
		return fail(code)
	}
	oldest, _ := strconv.ParseFloat(v.Get("oldest"), 64)
	var msgs []obj
	for i := len(s.messages) - 1; i >= 0; i-- {
		m := s.messages[i]
		ts, _ := strconv.ParseFloat(m.TS, 64)
		if m.Channel == c.ID && m.ThreadTS == "" && ts >= oldest {
			msgs = append(msgs, msgObj(m, v.Get("include_all_metadata") == "1"))
		}
	}
	page, next := paginate(len(msgs), v)
	return obj{"ok": true, "messages": msgs[page[0]:page[1]], "has_more": next != "",
		"response_metadata": obj{"next_cursor": next}}
}

func (s *Server) conversationsReplies(v url.Values) obj {
	c, code := s.readable(v.Get("channel"))
	if c == nil {
		return fail(code)
	}
	parent := s.message(c.ID, v.Get("ts"))
	if parent == nil {
		return fail("thread_not_found")
	}
	meta := v.Get("include_all_metadata") == "1"
	msgs := []obj{msgObj(parent, meta)}
	for _, m := range s.messages {
		if m.Channel == c.ID && m.ThreadTS == parent.TS {
			msgs = append(msgs, msgObj(m, meta))
		}
	}
	page, next := paginate(len(msgs), v)
	return obj{"ok": true, "messages": msgs[page[0]:page[1]], "has_more": next != "",
		"response_metadata": obj{"next_cursor": next}}
}

func msgObj(m *Message, meta bool) obj {
	o := obj{"type": "message", "ts": m.TS, "text": m.Text, "bot_id": "B0000BOT"}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
	}
	if m.Blocks != "" {
		o["blocks"] = json.RawMessage(m.Blocks)
	}
	if meta && m.Metadata != "" {
		o["metadata"] = json.RawMessage(m.Metadata)
	}
	return o
}

// check validates a message's payload, recording a rejection.
func (s *Server) check(method string, v url.Values) obj {
	if err := Validate(v.Get("text"), v.Get("blocks"), v.Get("metadata")); err != nil {
		s.rejections = append(s.rejections, method+": "+err.Error())
		return obj{"ok": false, "error": "invalid_blocks",
			"response_metadata": obj{"messages": strings.Split(err.Error(), "\n")}}
	}
	return nil
}

func (s *Server) chatPostMessage(v url.Values) obj {
	c := s.channel(v.Get("channel"), true)
	switch {
	case c == nil || c.Private && !c.Member:
		return fail("channel_not_found")
	case c.Archived:
		return fail("is_archived")
	}
	if bad := s.check("chat.postMessage", v); bad != nil {
		return bad
	}
	thread := v.Get("thread_ts")
	if thread != "" && s.message(c.ID, thread) == nil {
		return fail("thread_not_found")
	}
	m := &Message{Channel: c.ID, TS: s.newTS(), ThreadTS: thread, Text: v.Get("text"),
		Blocks: v.Get("blocks"), Metadata: v.Get("metadata")}
	s.messages = append(s.messages, m)
	return obj{"ok": true, "channel": c.ID, "ts": m.TS, "message": msgObj(m, true)}
}

func (s *Server) chatUpdate(v url.Values) obj {
	c := s.channel(v.Get("channel"), false) // chat.update takes IDs only
	if c == nil {
		return fail("channel_not_found")
	}
	m := s.message(c.ID, v.Get("ts"))
	if m == nil {
		return fail("message_not_found")
	}
	if bad := s.check("chat.update", v); bad != nil {
		return bad
	}
	m.Text, m.Blocks, m.Updates = v.Get("text"), v.Get("blocks"), m.Updates+1
	if md := v.Get("metadata"); md != "" {
		m.Metadata = md
	}
	return obj{"ok": true, "channel": c.ID, "ts": m.TS, "text": m.Text}
}

func (s *Server) chatPostEphemeral(v url.Values) obj {
	c := s.channel(v.Get("channel"), true)
	if c == nil {
		return fail("channel_not_found")
	}
	if v.Get("user") == "" {
		return fail("user_not_found")
	}
	if bad := s.check("chat.postEphemeral", v); bad != nil {
		return bad
	}
	m := Message{Channel: c.ID, TS: s.newTS(), Text: v.Get("text"), Blocks: v.Get("blocks"), User: v.Get("user")}
	s.ephemeral = append(s.ephemeral, m)
	return obj{"ok": true, "message_ts": m.TS}
}

func (s *Server) getUploadURL(v url.Values) obj {
	n, err := strconv.Atoi(v.Get("length"))
	if v.Get("filename") == "" || err != nil || n <= 0 {
		return fail("invalid_arguments")
	}
	id := fmt.Sprintf("F%07d", len(s.files)+1)
	s.files[id] = &File{ID: id}
	return obj{"ok": true, "upload_url": s.srv.URL + "/upload/" + id, "file_id": id}
}

// upload receives a file's bytes, as files.slack.com does.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	file, ok := s.files[id]
	if !ok {
		http.NotFound(w, r)
		return
	}
	file.Data = data
	s.calls = append(s.calls, Call{Method: "upload", Params: url.Values{"file_id": {id}}})
	w.WriteHeader(http.StatusOK)
}

func (s *Server) completeUpload(v url.Values) obj {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(v.Get("files")), &files); err != nil || len(files) == 0 {
		return fail("invalid_arguments")
	}
	var out []obj
	for _, f := range files {
		file, ok := s.files[f.ID]
		if !ok || file.Data == nil {
			return fail("file_not_found")
		}
		file.Title, file.Channel, file.ThreadTS = f.Title, v.Get("channel_id"), v.Get("thread_ts")
		out = append(out, obj{"id": f.ID, "title": f.Title})
	}
	return obj{"ok": true, "files": out}
}

func (s *Server) usergroupUsers(v url.Values) obj {
	users, ok := s.groups[v.Get("usergroup")]
	if !ok {
		return fail("no_such_subteam")
	}
	return obj{"ok": true, "users": users}
}

func (s *Server) connectionsOpen(url.Values) obj {
	return obj{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/socket"}
}
