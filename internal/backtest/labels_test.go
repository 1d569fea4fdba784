package backtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseLabels(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2024, 3, 1, h, 0, 0, 0, time.UTC) }
	w := func(a, b int) Window { return Window{Start: at(a), End: at(b)} }
	for _, tc := range []struct {
		name, in string
		want     []Window
	}{
		{"json windows", `[{"start": "2024-03-01T02:00:00Z", "end": "2024-03-01T04:00:00Z"}, {"start": "2024-03-01 07:00:00"}]`, []Window{w(2, 4), w(7, 7)}},
		{"json anomalies", `{"series": "orders", "anomalies": [{"start": "2024-03-01T02:00:00Z", "end": "2024-03-01T03:00:00Z"}]}`, []Window{w(2, 3)}},
		{"json timestamps", `["2024-03-01T05:00:00Z", {"timestamp": "2024-03-01T06:00:00Z"}]`, []Window{w(5, 5), w(6, 6)}},
		{"json pairs", `{"anomalies": [["2024-03-01T01:00:00Z", "2024-03-01T02:00:00Z"]]}`, []Window{w(1, 2)}},
		{"json empty", `[]`, []Window{}},
		{"csv windows", "Start,End,why\n2024-03-01T02:00:00Z,2024-03-01T04:00:00Z,outage\n2024-03-01 07:00:00,,\n", []Window{w(2, 4), w(7, 7)}},
		{"csv points", "timestamp,value,label\n2024-03-01T01:00:00Z,3,0\n2024-03-01T02:00:00Z,9,1\n2024-03-01T03:00:00Z,9,true\n2024-03-01T04:00:00Z,3,\n", []Window{w(2, 2), w(3, 3)}},
		{"csv timestamps only", "timestamp\n2024-03-01T02:00:00Z\n", []Window{w(2, 2)}},
		{"bom and blank lines", "\ufeff\n[\"2024-03-01T02:00:00Z\"]", []Window{w(2, 2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLabels(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("ParseLabels = %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Start.Equal(tc.want[i].Start) || !got[i].End.Equal(tc.want[i].End) {
					t.Errorf("window %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseLabelsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "  \n", "empty file"},
		{"bad json", `[{"start": }]`, "json"},
		{"object without anomalies", `{"windows": []}`, `"anomalies"`},
		{"number item", `[12]`, "item 1: want a window object"},
		{"end before start", `[{"start": "2024-03-02", "end": "2024-03-01"}]`, "item 1: end 2024-03-01 is before start"},
		{"bad timestamp", `["2024-03-01", "tomorrow"]`, `item 2: start: timestamp "tomorrow"`},
		{"long pair", `[["2024-03-01", "2024-03-02", "2024-03-03"]]`, "pair must be"},
		{"csv header", "when,what\n2024-03-01,1\n", "header must name start,end or timestamp,label"},
		{"csv label", "timestamp,label\n2024-03-01,1\n2024-03-02,maybe\n", `line 3: label "maybe"`},
		{"csv end", "start,end\n2024-03-01,2024-03-0\n", "line 2: end:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseLabels(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseLabels error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReadLabels(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "labels.json")
	if err := os.WriteFile(p, []byte(`["2024-03-01T02:00:00Z", "bad"]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLabels(p); err == nil || !strings.Contains(err.Error(), p+": labels: item 2") {
		t.Errorf("ReadLabels error = %v, want it to name the file and the item", err)
	}
	if _, err := ReadLabels(filepath.Join(dir, "none.csv")); err == nil {
		t.Error("ReadLabels of a missing file = nil error")
	}
	if err := os.WriteFile(p, []byte(`{"anomalies": ["2024-03-01T02:00:00Z"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if ws, err := ReadLabels(p); err != nil || len(ws) != 1 {
		t.Errorf("ReadLabels = %v, %v; want one window", ws, err)
	}
}

func FuzzParseLabels(f *testing.F) {
	f.Add(`[{"start": "2024-03-01T02:00:00Z", "end": "2024-03-01T04:00:00Z"}]`)
	f.Add(`{"anomalies": [["2024-03-01", "2024-03-02"], "2024-03-05"]}`)
	f.Add("timestamp,label\n2024-03-01,1\n2024-03-02,0\n")
	f.Add("start,end\n2024-03-01,\n")
	f.Fuzz(func(t *testing.T, s string) {
		ws, err := ParseLabels(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, w := range ws {
			if w.End.Before(w.Start) {
				t.Fatalf("window %v ends before it starts", w)
			}
		}
	})
}
