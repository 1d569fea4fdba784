package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/config"
	"vigil/internal/state"
	"vigil/sources/clickhouse"
	"vigil/sources/sourcestest"
)

// proxy forwards TCP connections from a loopback port to a target. Down
// closes the port and every connection through it, as a warehouse that
// stops would; Up listens again on the same port.
type proxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{target: target, addr: "127.0.0.1:0"}
	p.up(t)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.forward(c)
		}
	})
}

func (p *proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, s)
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	go func() { io.Copy(c, s); c.Close() }()
}

func (p *proxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

// clickhouseTarget returns the test server's DSN and its host:port.
func clickhouseTarget(t *testing.T) (*url.URL, string) {
	t.Helper()
	dsn := sourcestest.ClickHouseDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "9000")
	}
	return u, host
}

// chTable creates a table of hourly values around h0: 100, except 150 at
// bucket anomaly; it is dropped when the test ends.
func chTable(t *testing.T, src *clickhouse.Source, anomaly int) string {
	t.Helper()
	ctx := context.Background()
	table := fmt.Sprintf("vigil_engine_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	start := h0.Add(-10 * 24 * time.Hour).Unix()
	stmts := []string{
		"CREATE TABLE " + table + " (ts DateTime, v Float64) ENGINE = MergeTree() ORDER BY ts",
		fmt.Sprintf("INSERT INTO %s SELECT toDateTime(%d + number * 3600), if(number = %d, 150, 100) FROM numbers(%d)",
			table, start, 240+anomaly, 240+48),
	}
	for _, st := range stmts {
		if err := src.Conn().Exec(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	t.Cleanup(func() { src.Conn().Exec(context.Background(), "DROP TABLE IF EXISTS "+table) })
	return table
}

// TestClickHouseOutage evaluates a rule on ClickHouse through a proxy that
// goes down for three hours, during which the metric has an anomaly: the
// owner hears that the rule fails, then that it recovered, and the anomaly
// is still reported, then resolved.
func TestClickHouseOutage(t *testing.T) {
	u, target := clickhouseTarget(t)
	direct, err := clickhouse.Open(context.Background(), clickhouse.Options{DSN: u.String(), QueryTimeout: 10 * time.Second})
	check(t, err)
	defer direct.Close()
	table := chTable(t, direct, 4)

	p := newProxy(t, target)
	viaProxy := *u
	viaProxy.Host = p.addr
	src, err := clickhouse.Open(context.Background(), clickhouse.Options{DSN: viaProxy.String(), ConnectTimeout: time.Second, QueryTimeout: 5 * time.Second})
	check(t, err)
	defer src.Close()

	s := openStore(t)
	obs := newObserver()
	o := NewOutbox(s, OutboxOptions{Observer: obs})
	rec := &recorder{}
	r := hourly("orders", Retry(Limit(src, 2), "warehouse", obs.QueryError), 0, rec)
	r.Metric.Table, r.Metric.Timestamp, r.Metric.Value = table, "ts", "sum(v)"
	r.Metric.Alerting = config.Alerting{ResolveAfter: 2, CatchUp: 24, FailingAfter: 3}
	r.NotifierNames = []string{"owner"}
	r.Timeout = 3 * time.Second
	e := New([]Rule{r}, Options{Store: s, Outbox: o, Observer: obs})
	o.Use(e)
	runOutbox(t, o)

	steps := []struct {
		bucket int
		down   bool
		want   string // the verdict
	}{
		{0, false, "OK"}, {1, false, "OK"},
		{2, true, "ERROR"}, {3, true, "ERROR"}, {4, true, "ERROR"},
		{5, false, "OK"}, {6, false, "OK"},
	}
	for _, st := range steps {
		if st.down {
			p.down()
		} else if p.ln == nil || isClosed(p.ln) {
			p.up(t)
		}
		res := e.Once(context.Background(), evalAt(st.bucket), nil)[0]
		if got := res.Verdict().String(); got != st.want {
			t.Fatalf("bucket %d: verdict %s (%v), want %s", st.bucket, got, res.Err, st.want)
		}
	}
	eventually(t, "four alerts delivered", func() bool { return len(rec.sent()) == 4 })
	var got []string
	for _, a := range rec.sent() {
		got = append(got, string(a.State)+" "+a.ID+": "+a.Reason)
	}
	want := []string{
		"firing rule:orders: rule orders has failed 3 times since 03:05 UTC: query fake:",
		"firing orders@2024-03-04T04:00:00Z: 50% above the expected 100",
		"resolved rule:orders: rule orders runs again, after failing 3 times since 03:05 UTC",
		"resolved orders@2024-03-04T04:00:00Z: back within the expected range for 2 buckets in a row",
	}
	// Deliveries of different incidents go out on lanes of their own, so
	// only the order within an incident is fixed: firing before resolved.
	at := func(prefix string) int {
		for i, g := range got {
			if strings.HasPrefix(g, prefix) {
				return i
			}
		}
		return -1
	}
	for _, w := range want {
		if at(w) < 0 {
			t.Errorf("alerts = %q,\nwant one starting %q", got, w)
		}
	}
	if at(want[0]) > at(want[2]) || at(want[1]) > at(want[3]) {
		t.Errorf("alerts = %q, want each incident's firing before its resolution", got)
	}
	incs, err := s.ListIncidents(state.IncidentFilter{Rule: "orders"})
	if err != nil || len(incs) != 1 || !incs[0].Start.Equal(hour(4)) {
		t.Errorf("incidents = %+v (%v), want the one at bucket 4", incs, err)
	}
	if obs.queryErrors < 3 {
		t.Errorf("query errors counted = %d, want at least 3", obs.queryErrors)
	}
}

func isClosed(ln net.Listener) bool {
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 200*time.Millisecond)
	if err != nil {
		return true
	}
	c.Close()
	return false
}

// TestHistoryClickHouse writes an incident event to a ClickHouse table
// twice: the table is created in SQL that 18.16 takes, and holds the row
// once.
func TestHistoryClickHouse(t *testing.T) {
	u, _ := clickhouseTarget(t)
	src, err := clickhouse.Open(context.Background(), clickhouse.Options{DSN: u.String(), QueryTimeout: 10 * time.Second})
	check(t, err)
	defer src.Close()
	table := fmt.Sprintf("vigil_history_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	t.Cleanup(func() { src.Conn().Exec(context.Background(), "DROP TABLE IF EXISTS "+table) })
	w, err := newHistoryWriter(Retry(Limit(src, 1), "ch", nil), table)
	check(t, err)
	resolved := hour(3)
	rows := []historyRow{
		{EventKey: "k1", Incident: "orders@x", Rule: "orders", Event: kindOpen, State: "firing", Bucket: hour(1), Start: hour(1),
			Value: 150, Expected: 100, Lower: 90, Upper: 110, Score: 0.9, Direction: "up", Reason: "it's 50% up; \\ 'quoted'",
			Explanation: []byte(`{"sentence":"country=BR"}`), RecordedAt: hour(2)},
		{EventKey: "k2", Incident: "orders@x", Rule: "orders", Event: kindResolve, State: "resolved", Bucket: hour(3), Start: hour(1),
			ResolvedAt: &resolved, Value: jsonFloat(nan()), Expected: 100, Lower: 90, Upper: 110, Score: jsonFloat(nan()), RecordedAt: hour(3)},
	}
	for _, r := range append(rows, rows...) {
		d := deliveryOf(t, r)
		if _, err := w.send(context.Background(), d); err != nil {
			t.Fatalf("send %s: %v", r.EventKey, err)
		}
	}
	var n uint64
	check(t, src.Conn().QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n))
	if n != 2 {
		t.Errorf("rows = %d, want 2", n)
	}
	var reason, expl string
	var value *float64
	var resolvedAt *time.Time
	check(t, src.Conn().QueryRow(context.Background(), "SELECT reason, explanation, value, resolved_at FROM "+table+" FINAL WHERE event_key = 'k1'").
		Scan(&reason, &expl, &value, &resolvedAt))
	if reason != rows[0].Reason || expl != `{"sentence":"country=BR"}` || value == nil || *value != 150 || resolvedAt != nil {
		t.Errorf("row k1 = %q %q %v %v", reason, expl, value, resolvedAt)
	}
	check(t, src.Conn().QueryRow(context.Background(), "SELECT value, resolved_at FROM "+table+" FINAL WHERE event_key = 'k2'").Scan(&value, &resolvedAt))
	if value != nil || resolvedAt == nil || !resolvedAt.Equal(resolved) {
		t.Errorf("row k2 value %v resolved %v, want NULL and %s", value, resolvedAt, resolved)
	}
	if ok, err := w.Delivered(context.Background(), "k2"); !ok || err != nil {
		t.Errorf("Delivered(k2) = %v, %v", ok, err)
	}
}

func deliveryOf(t *testing.T, r historyRow) state.Delivery {
	t.Helper()
	d := state.Delivery{Key: r.EventKey, Notifier: historyNotifier, Event: state.EventUpdate}
	b, err := marshalRow(r)
	check(t, err)
	d.Payload = b
	return d
}

func marshalRow(r historyRow) ([]byte, error) { return json.Marshal(r) }
