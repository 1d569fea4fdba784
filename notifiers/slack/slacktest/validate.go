package slacktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"
)

// Slack's documented limits, checked independently of the notifier's own
// constants so that a mistake there shows here.
const (
	maxBlocks         = 50
	maxText           = 4000 // the message's text; Slack cuts longer ones
	maxHeader         = 150
	maxSection        = 3000
	maxFields         = 10
	maxField          = 2000
	maxContextElems   = 10
	maxTextObject     = 3000
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxActionID       = 255
	maxBlockID        = 255
	maxActionElems    = 25
	maxCharts         = 2
	maxTableRows      = 101 // header included
	maxTableColumns   = 20
	maxTableChars     = 10000
	maxPageSize       = 100
	maxMetadataBytes  = 4000
	maxMetadataString = 255
)

// Validate checks a message as chat.postMessage and chat.update receive it
// (form values text, blocks and metadata) against Slack's documented
// limits, and returns every problem found.
func Validate(text, blocks, metadata string) error {
	v := &validator{}
	if n := utf8.RuneCountInString(text); n > maxText {
		v.addf("text: %d characters, limit %d", n, maxText)
	}
	if blocks == "" && strings.TrimSpace(text) == "" {
		v.addf("no text and no blocks")
	}
	if blocks != "" {
		v.blocks(blocks)
	}
	if metadata != "" {
		v.metadata(metadata)
	}
	return errors.Join(v.problems...)
}

type validator struct {
	problems []error
	actions  map[string]bool
}

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Errorf(format, args...))
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func (v *validator) blocks(raw string) {
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		v.addf("blocks: %v", err)
		return
	}
	if len(blocks) > maxBlocks {
		v.addf("blocks: %d blocks, limit %d", len(blocks), maxBlocks)
	}
	ids, charts := map[string]bool{}, 0
	v.actions = map[string]bool{}
	for i, b := range blocks {
		var typ, id string
		_ = json.Unmarshal(b["type"], &typ)
		_ = json.Unmarshal(b["block_id"], &id)
		where := fmt.Sprintf("blocks[%d] (%s)", i, typ)
		if id != "" {
			if ids[id] || runes(id) > maxBlockID {
				v.addf("%s: block_id %q duplicate or too long", where, id)
			}
			ids[id] = true
		}
		raw := mustMarshal(b)
		switch typ {
		case "header":
			v.text(where+".text", b["text"], maxHeader, "plain_text")
		case "section":
			v.section(where, b)
		case "context":
			v.context(where, b["elements"])
		case "actions":
			v.actionsBlock(where, b["elements"])
		case "divider":
		case "data_visualization":
			charts++
			v.chart(where, raw)
		case "data_table":
			v.table(where, raw)
		default:
			v.addf("%s: block type not expected from vigil", where)
		}
	}
	if charts > maxCharts {
		v.addf("blocks: %d data_visualization blocks, limit %d", charts, maxCharts)
	}
}

func mustMarshal(m map[string]json.RawMessage) []byte {
	b, _ := json.Marshal(m)
	return b
}

// textObject is a Block Kit text object.
type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func (v *validator) text(where string, raw json.RawMessage, limit int, types ...string) {
	var t textObject
	if err := json.Unmarshal(raw, &t); err != nil || raw == nil {
		v.addf("%s: missing or malformed text object", where)
		return
	}
	if len(types) > 0 && !contains(types, t.Type) {
		v.addf("%s: text type %q, want %v", where, t.Type, types)
	}
	if t.Type != "plain_text" && t.Type != "mrkdwn" {
		v.addf("%s: unknown text type %q", where, t.Type)
	}
	if strings.TrimSpace(t.Text) == "" {
		v.addf("%s: empty text", where)
	}
	if n := runes(t.Text); n > limit {
		v.addf("%s: %d characters, limit %d", where, n, limit)
	}
	if t.Type == "mrkdwn" {
		v.mrkdwn(where, t.Text)
	}
}

// mrkdwn checks that &, < and > are escaped outside links and mentions:
// every "<" opens a span closed before the next "<".
func (v *validator) mrkdwn(where, s string) {
	depth := 0
	for _, r := range s {
		switch r {
		case '<':
			if depth > 0 {
				v.addf("%s: unescaped < inside a link", where)
				return
			}
			depth++
		case '>':
			if depth == 0 {
				v.addf("%s: unescaped >", where)
				return
			}
			depth--
		}
	}
	if depth != 0 {
		v.addf("%s: unclosed <", where)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) section(where string, b map[string]json.RawMessage) {
	var fields []json.RawMessage
	_ = json.Unmarshal(b["fields"], &fields)
	if b["text"] == nil && len(fields) == 0 {
		v.addf("%s: neither text nor fields", where)
	}
	if b["text"] != nil {
		v.text(where+".text", b["text"], maxSection)
	}
	if len(fields) > maxFields {
		v.addf("%s: %d fields, limit %d", where, len(fields), maxFields)
	}
	for i, f := range fields {
		v.text(fmt.Sprintf("%s.fields[%d]", where, i), f, maxField)
	}
}

func (v *validator) context(where string, raw json.RawMessage) {
	var elems []json.RawMessage
	_ = json.Unmarshal(raw, &elems)
	if len(elems) == 0 || len(elems) > maxContextElems {
		v.addf("%s: %d elements, want 1 to %d", where, len(elems), maxContextElems)
	}
	for i, e := range elems {
		v.text(fmt.Sprintf("%s.elements[%d]", where, i), e, maxTextObject)
	}
}

func (v *validator) actionsBlock(where string, raw json.RawMessage) {
	var elems []struct {
		Type     string          `json:"type"`
		ActionID string          `json:"action_id"`
		Value    string          `json:"value"`
		Text     json.RawMessage `json:"text"`
	}
	_ = json.Unmarshal(raw, &elems)
	if len(elems) == 0 || len(elems) > maxActionElems {
		v.addf("%s: %d elements, want 1 to %d", where, len(elems), maxActionElems)
	}
	for i, e := range elems {
		w := fmt.Sprintf("%s.elements[%d]", where, i)
		if e.Type != "button" {
			v.addf("%s: element type %q not expected", w, e.Type)
		}
		v.text(w+".text", e.Text, maxButtonText, "plain_text")
		if runes(e.Value) > maxButtonValue {
			v.addf("%s: value of %d characters, limit %d", w, runes(e.Value), maxButtonValue)
		}
		if e.ActionID == "" || runes(e.ActionID) > maxActionID || v.actions[e.ActionID] {
			v.addf("%s: action_id %q empty, too long or not unique", w, e.ActionID)
		}
		v.actions[e.ActionID] = true
	}
}

// chart checks a data_visualization block with slack-go's validation of
// Slack's documented constraints.
func (v *validator) chart(where string, raw []byte) {
	var b slackgo.DataVisualizationBlock
	if err := json.Unmarshal(raw, &b); err != nil {
		v.addf("%s: %v", where, err)
		return
	}
	if err := b.Validate(); err != nil {
		v.addf("%s: %v", where, err)
	}
}

// table checks a data_table block: 2 to 101 rows of 1 to 20 cells, all of
// one length, a raw_text header, non-empty texts, at most 10,000
// characters in all.
func (v *validator) table(where string, raw []byte) {
	var b struct {
		Caption  string `json:"caption"`
		PageSize *int   `json:"page_size"`
		Rows     [][]struct {
			Type  string   `json:"type"`
			Text  *string  `json:"text"`
			Value *float64 `json:"value"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		v.addf("%s: %v", where, err)
		return
	}
	if strings.TrimSpace(b.Caption) == "" {
		v.addf("%s: caption is required", where)
	}
	if b.PageSize != nil && (*b.PageSize < 1 || *b.PageSize > maxPageSize) {
		v.addf("%s: page_size %d, want 1 to %d", where, *b.PageSize, maxPageSize)
	}
	if len(b.Rows) < 2 || len(b.Rows) > maxTableRows {
		v.addf("%s: %d rows, want 2 to %d", where, len(b.Rows), maxTableRows)
	}
	chars := 0
	for i, row := range b.Rows {
		if len(row) == 0 || len(row) > maxTableColumns || len(row) != len(b.Rows[0]) {
			v.addf("%s: row %d has %d cells (header %d, limit %d)", where, i, len(row), len(b.Rows[0]), maxTableColumns)
		}
		for j, c := range row {
			w := fmt.Sprintf("%s: row %d cell %d", where, i, j)
			switch {
			case i == 0 && c.Type != "raw_text":
				v.addf("%s: header cells must be raw_text", w)
			case c.Type == "raw_text" && (c.Text == nil || *c.Text == ""):
				v.addf("%s: raw_text needs a text", w)
			case c.Type == "raw_number" && c.Value == nil:
				v.addf("%s: raw_number needs a value", w)
			case c.Type == "raw_number" && c.Text != nil && *c.Text == "":
				v.addf("%s: raw_number text may not be empty", w)
			case c.Type != "raw_text" && c.Type != "raw_number" && c.Type != "rich_text":
				v.addf("%s: cell type %q", w, c.Type)
			}
			if c.Text != nil {
				chars += runes(*c.Text)
			}
		}
	}
	if chars > maxTableChars {
		v.addf("%s: %d characters in cells, limit %d", where, chars, maxTableChars)
	}
}

func (v *validator) metadata(raw string) {
	if len(raw) > maxMetadataBytes {
		v.addf("metadata: %d bytes, limit %d", len(raw), maxMetadataBytes)
	}
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(raw), &md); err != nil {
		v.addf("metadata: %v", err)
		return
	}
	if md.EventType == "" || md.EventPayload == nil {
		v.addf("metadata: event_type and event_payload are required")
	}
	for k, val := range md.EventPayload {
		if s, ok := val.(string); ok && runes(s) > maxMetadataString {
			v.addf("metadata: %s has %d characters, limit %d", k, runes(s), maxMetadataString)
		}
	}
}
