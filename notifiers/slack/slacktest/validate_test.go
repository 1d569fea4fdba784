package slacktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func header(n int) map[string]any {
	return map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", n)}}
}

func mrkdwnSection(s string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": s}}
}

func chart(points int) map[string]any {
	var cats []string
	var data []map[string]any
	for i := range points {
		l := fmt.Sprintf("p%d", i)
		cats = append(cats, l)
		data = append(data, map[string]any{"label": l, "value": i})
	}
	return map[string]any{"type": "data_visualization", "title": "t", "chart": map[string]any{
		"type": "line", "series": []any{map[string]any{"name": "Actual", "data": data}},
		"axis_config": map[string]any{"categories": cats}}}
}

func table(rows, cellLen int) map[string]any {
	var rs [][]map[string]any
	for range rows {
		rs = append(rs, []map[string]any{{"type": "raw_text", "text": strings.Repeat("c", cellLen)}})
	}
	return map[string]any{"type": "data_table", "caption": "c", "rows": rs}
}

func TestValidate(t *testing.T) {
	many := make([]any, 51)
	for i := range many {
		many[i] = mrkdwnSection("x")
	}
	fields := make([]any, 11)
	for i := range fields {
		fields[i] = map[string]any{"type": "mrkdwn", "text": "f"}
	}
	tests := []struct {
		name     string
		text     string
		blocks   any
		metadata string
		want     string // "" when valid
	}{
		{"valid", "t", []any{header(150), mrkdwnSection("<https://x|y> &amp;"), chart(20), table(101, 90)}, `{"event_type":"e","event_payload":{"a":"b"}}`, ""},
		{"text too long", strings.Repeat("t", 4001), nil, "", "text: 4001 characters"},
		{"too many blocks", "t", many, "", "51 blocks"},
		{"header too long", "t", []any{header(151)}, "", "151 characters, limit 150"},
		{"section too long", "t", []any{mrkdwnSection(strings.Repeat("s", 3001))}, "", "3001 characters, limit 3000"},
		{"too many fields", "t", []any{map[string]any{"type": "section", "fields": fields}}, "", "11 fields"},
		{"unescaped <", "t", []any{mrkdwnSection("a < b")}, "", "unclosed <"},
		{"chart with 21 points", "t", []any{chart(21)}, "", "more than 20 points"},
		{"table with 102 rows", "t", []any{table(102, 1)}, "", "102 rows"},
		{"table over 10,000 characters", "t", []any{table(3, 4000)}, "", "12000 characters in cells"},
		{"metadata without type", "t", nil, `{"event_payload":{}}`, "event_type and event_payload are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := ""
			if tt.blocks != nil {
				b, _ := json.Marshal(tt.blocks)
				blocks = string(b)
			}
			err := Validate(tt.text, blocks, tt.metadata)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}
