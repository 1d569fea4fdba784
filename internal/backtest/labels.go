package backtest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Window is a labelled anomaly: the rows whose timestamps lie in
// [Start, End], both ends included. A single anomalous timestamp has
// Start == End.
type Window struct {
	Start, End time.Time
}

// Contains reports whether t lies in w.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && !t.After(w.End) }

// ReadLabels reads labelled anomaly windows from a file; see ParseLabels.
func ReadLabels(path string) ([]Window, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer f.Close()
	w, err := ParseLabels(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// ParseLabels reads labelled anomaly windows as JSON or CSV, told apart by
// the first character.
//
// JSON is a list, or an object whose "anomalies" key holds the list. Each
// item is a window {"start": "...", "end": "..."} (end optional), a pair
// ["start", "end"], a single timestamp "..." or {"timestamp": "..."}.
//
// CSV has a header row with either the columns start and end (end may be
// empty), or a timestamp column and an optional label column: a row labelled
// 1 (or true, yes) is an anomalous point, 0 (false, no, empty) is normal, and
// without a label column every row is anomalous. Scoring treats labelled
// windows with no unlabelled row between them as one event, so consecutive
// anomalous points form one event.
func ParseLabels(r io.Reader) ([]Window, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 {
		return nil, errors.New("labels: empty file; want JSON or CSV")
	}
	if t[0] == '[' || t[0] == '{' {
		return parseJSONLabels(data)
	}
	return parseCSVLabels(data)
}

func parseJSONLabels(data []byte) ([]Window, error) {
	var top any
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("labels: json: %w", err)
	}
	items, ok := top.([]any)
	if obj, isObj := top.(map[string]any); isObj {
		items, ok = obj["anomalies"].([]any)
		if !ok {
			return nil, errors.New(`labels: json object needs a list under "anomalies"`)
		}
	}
	if !ok {
		return nil, errors.New("labels: json must be a list of windows or timestamps")
	}
	ws := make([]Window, 0, len(items))
	for i, it := range items {
		w, err := jsonWindow(it)
		if err != nil {
			return nil, fmt.Errorf("labels: item %d: %w", i+1, err)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// jsonWindow reads one JSON item.
func jsonWindow(it any) (Window, error) {
	switch v := it.(type) {
	case string:
		return window(v, "")
	case []any:
		if len(v) < 1 || len(v) > 2 {
			return Window{}, fmt.Errorf("a pair must be [start, end], got %d elements", len(v))
		}
		s, ok1 := v[0].(string)
		e, ok2 := v[len(v)-1].(string)
		if !ok1 || !ok2 {
			return Window{}, errors.New("a pair must hold two timestamp strings")
		}
		return window(s, e)
	case map[string]any:
		s, _ := v["start"].(string)
		e, _ := v["end"].(string)
		if s == "" {
			s, _ = v["timestamp"].(string)
		}
		if s == "" {
			return Window{}, errors.New(`want "start" (and "end") or "timestamp"`)
		}
		return window(s, e)
	}
	return Window{}, fmt.Errorf("want a window object, a [start, end] pair or a timestamp string, got %v", it)
}

// window parses a window; an empty end means a single point.
func window(start, end string) (Window, error) {
	s, err := ParseTime(start)
	if err != nil {
		return Window{}, fmt.Errorf("start: %w", err)
	}
	e := s
	if strings.TrimSpace(end) != "" {
		if e, err = ParseTime(end); err != nil {
			return Window{}, fmt.Errorf("end: %w", err)
		}
	}
	if e.Before(s) {
		return Window{}, fmt.Errorf("end %s is before start %s", end, start)
	}
	return Window{Start: s, End: e}, nil
}

func parseCSVLabels(data []byte) ([]Window, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("labels: csv: %w", err)
	}
	col := func(name string) int {
		for i, h := range head {
			if strings.EqualFold(strings.TrimSpace(h), name) {
				return i
			}
		}
		return -1
	}
	si, ei, ti, li := col("start"), col("end"), col("timestamp"), col("label")
	if si < 0 && ti < 0 {
		return nil, fmt.Errorf("labels: csv: line 1: header must name start,end or timestamp,label; got %q", strings.Join(head, ","))
	}
	var ws []Window
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return ws, nil
		}
		if err != nil {
			return nil, fmt.Errorf("labels: csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		w, ok, err := csvWindow(row, si, ei, ti, li)
		if err != nil {
			return nil, fmt.Errorf("labels: csv: line %d: %w", line, err)
		}
		if ok {
			ws = append(ws, w)
		}
	}
}

// csvWindow reads one CSV row; ok is false for a row labelled normal.
func csvWindow(row []string, si, ei, ti, li int) (w Window, ok bool, err error) {
	field := func(i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return row[i]
	}
	if si >= 0 {
		w, err = window(field(si), field(ei))
		return w, err == nil, err
	}
	switch strings.ToLower(strings.TrimSpace(field(li))) {
	case "0", "false", "no", "":
		if li >= 0 {
			return Window{}, false, nil
		}
	case "1", "true", "yes":
	default:
		return Window{}, false, fmt.Errorf("label %q: want 1 (anomalous) or 0", field(li))
	}
	w, err = window(field(ti), "")
	return w, err == nil, err
}
