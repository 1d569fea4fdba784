package console

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // America/Sao_Paulo without the system's zone files

	"vigil/notifiers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var _ notifiers.Notifier = (*Notifier)(nil)

// history returns n hourly points ending at end, around level, with the
// last one at last.
func history(end time.Time, g time.Duration, level []float64, last float64) []notifiers.HistoryPoint {
	n := len(level) + 1
	h := make([]notifiers.HistoryPoint, n)
	for i := range h {
		v := last
		if i < len(level) {
			v = level[i]
		}
		h[i] = notifiers.HistoryPoint{Time: end.Add(time.Duration(i-n+1) * g), Value: v}
	}
	return h
}

func drop() notifiers.Alert {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	return notifiers.Alert{
		ID: "orders/total", State: notifiers.Firing, Rule: "orders", Description: "Completed orders",
		Owner: "@growth-oncall", Runbook: "https://wiki.example.com/runbooks/orders",
		Method: "seasonal (weekly, 8 seasons)", Sensitivity: "medium",
		Time: at, Granularity: time.Hour, Location: time.UTC,
		Value: 3210, Expected: 4400, Lower: 3900, Upper: 4900, Score: 0.83, Direction: "down",
		Reason:  "27% below the expected 4,400; lower bound 3,900",
		Query:   "SELECT time_bucket(INTERVAL 3600 SECOND, created_at) AS bucket, count() AS value\nFROM orders\nWHERE status = 'completed'\nGROUP BY bucket",
		History: history(at, time.Hour, []float64{3900, 4100, 4300, 4500, 4450, 4380, 4420}, 3210),
	}
}

func rise() notifiers.Alert {
	at := time.Date(2026, 2, 9, 17, 0, 0, 0, time.UTC)
	return notifiers.Alert{
		ID: "revenue", State: notifiers.Firing, Rule: "revenue", Description: "Order value (GMV)",
		Owner: "@finance-oncall", Unit: "$", Method: "seasonal (weekly, 8 seasons)", Sensitivity: "medium",
		Time: at, Granularity: time.Hour, Location: time.UTC,
		Value: 18250.5, Expected: 12400, Lower: 10100, Upper: 14700, Score: 0.71, Direction: "up",
		Reason:  "47% above the expected 12,400; upper bound 14,700",
		History: history(at, time.Hour, []float64{11800, 12500, math.NaN(), 12900, 16800}, 18250.5),
	}
}

func resolved() notifiers.Alert {
	a := drop()
	a.State = notifiers.Resolved
	a.Time = a.Time.Add(3 * time.Hour)
	a.Value, a.Expected, a.Score, a.Direction, a.Reason = 4380, 4420, 0.05, "", ""
	return a
}

func ratio() notifiers.Alert {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 1, 26, 0, 0, 0, 0, sp)
	return notifiers.Alert{
		ID: "conversion_daily", State: notifiers.Firing, Rule: "conversion_daily",
		Description: "Checkout rate per Brasília day", Owner: "@brazil-growth", Unit: "%",
		Method: "seasonal (weekly, 8 seasons)", Sensitivity: "medium",
		Time: at, Granularity: 24 * time.Hour, Location: sp,
		Value: 0.0241, Expected: 0.0318, Lower: 0.0296, Upper: 0.0340, Score: 0.88, Direction: "down",
		Reason:  "24% below the expected 0.0318; lower bound 0.0296",
		History: history(at, 24*time.Hour, []float64{0.0315, 0.0322, 0.0309, 0.0330, 0.0318, 0.0312}, 0.0241),
	}
}

func nanExpected() notifiers.Alert {
	return notifiers.Alert{
		State: notifiers.Firing, Rule: "api_latency", Unit: "ms", Method: "threshold",
		Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Granularity: 15 * time.Minute,
		Value: 1250, Expected: math.NaN(), Lower: math.Inf(-1), Upper: 1000, Score: 0.55, Direction: "up",
		Reason: "1,250 above the upper bound 1,000",
	}
}

func noData() notifiers.Alert {
	a := drop()
	a.Value, a.Reason, a.Direction, a.History = math.NaN(), "no data", "", nil
	return a
}

func TestNotifyGolden(t *testing.T) {
	tests := []struct {
		name  string
		alert notifiers.Alert
		opts  []Option
	}{
		{name: "drop", alert: drop()},
		{name: "rise", alert: rise()},
		{name: "resolved", alert: resolved()},
		{name: "ratio", alert: ratio()},
		{name: "nan_expected", alert: nanExpected()},
		{name: "no_data", alert: noData()},
		{name: "color_sql", alert: drop(), opts: []Option{WithColor(true), WithSQL(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if retry, err := New(&b, tt.opts...).Notify(context.Background(), tt.alert); err != nil || retry {
				t.Fatalf("Notify = %v, %v; want false, nil", retry, err)
			}
			golden(t, filepath.Join("testdata", tt.name+".golden"), b.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./notifiers/console -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestNotifyConcurrentBlocksStayWhole(t *testing.T) {
	var out bytes.Buffer // not safe for concurrent use: the Notifier must lock
	n := New(&out)
	rules := []string{"orders", "revenue", "conversion", "sessions"}
	const each = 50
	var wg sync.WaitGroup
	for _, r := range rules {
		for range each {
			wg.Go(func() {
				a := drop()
				a.Rule, a.ID, a.Description = r, r, "metric "+r
				if _, err := n.Notify(context.Background(), a); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	blocks := strings.Split(strings.TrimSuffix(out.String(), "\n\n"), "\n\n")
	if len(blocks) != len(rules)*each {
		t.Fatalf("got %d blocks, want %d", len(blocks), len(rules)*each)
	}
	for i, b := range blocks {
		lines := strings.Split(b, "\n")
		name := strings.Fields(lines[0])[2] // "▼ FIRING  orders: ..."
		name = strings.TrimSuffix(name, ":")
		for _, l := range lines {
			if strings.HasPrefix(l, "  rule") && !strings.Contains(l, " "+name) {
				t.Fatalf("block %d mixes alerts: headline of %q, line %q", i, name, l)
			}
		}
		if len(lines) != strings.Count(golden0(t), "\n")-1 {
			t.Fatalf("block %d has %d lines, want those of one alert:\n%s", i, len(lines), b)
		}
	}
}

// golden0 renders the reference alert of the concurrency test.
func golden0(t *testing.T) string {
	var b bytes.Buffer
	a := drop()
	a.Rule, a.ID, a.Description = "orders", "orders", "metric orders"
	if _, err := New(&b).Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestNotifyErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	broken := errors.New("broken pipe")
	tests := []struct {
		name      string
		ctx       context.Context
		w         failingWriter
		wantRetry bool
		wantErr   error
	}{
		{name: "write fails", ctx: context.Background(), w: failingWriter{broken}, wantRetry: false, wantErr: broken},
		{name: "context canceled", ctx: canceled, w: failingWriter{broken}, wantRetry: true, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, err := New(tt.w).Notify(tt.ctx, drop())
			if retry != tt.wantRetry || !errors.Is(err, tt.wantErr) {
				t.Errorf("Notify = %v, %v; want %v, %v", retry, err, tt.wantRetry, tt.wantErr)
			}
		})
	}
}

func TestNewNilWriterDiscards(t *testing.T) {
	if retry, err := New(nil).Notify(context.Background(), drop()); err != nil || retry {
		t.Errorf("New(nil).Notify = %v, %v; want false, nil", retry, err)
	}
}
