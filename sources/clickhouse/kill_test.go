package clickhouse

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"vigil/detector/explain"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

// hostile is a rule name, and a query id, that would end or bend a string
// literal written without escaping.
const hostile = "x' OR 1=1 OR 'a\\' --\n\x00`\"; KILL QUERY WHERE 1 ASYNC; --"

var idPattern = regexp.MustCompile(`^vigil-[A-Za-z0-9_-]{1,64}-[0-9a-f]{16}$`)

func TestQueryID(t *testing.T) {
	tests := []struct {
		name, rule, want string
	}{
		{"plain", "orders", "vigil-orders-"},
		{"keeps _ and -", "orders_by-country", "vigil-orders_by-country-"},
		{"spaces and dots", "eu orders.v2", "vigil-eu_orders_v2-"},
		{"hostile", hostile, "vigil-x__OR_1_1_OR__a___--______KILL_QUERY_WHERE_1_ASYNC__---"},
		{"not ascii", "ventes-é", "vigil-ventes-_-"},
		{"empty", "", "vigil-_-"},
		{"long", strings.Repeat("a", 100), "vigil-" + strings.Repeat("a", 64) + "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := queryID(tt.rule)
			if !strings.HasPrefix(id, tt.want) || !idPattern.MatchString(id) {
				t.Errorf("queryID(%q) = %q, want %s<16 hex digits>", tt.rule, id, tt.want)
			}
			if again := queryID(tt.rule); again == id {
				t.Errorf("queryID(%q) twice = %q both times, want distinct ids", tt.rule, id)
			}
		})
	}
}

// TestKillStatement checks that KILL QUERY carries any id as one string: a
// hostile id parses, matches nothing and leaves a bystander running, and
// the bystander's own id stops it.
func TestKillStatement(t *testing.T) {
	s := open(t)
	bystander := queryID("bystander")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Conn().Exec(ch.Context(ctx, ch.WithQueryID(bystander)), slowSQL) }()
	defer func() {
		cancel()
		<-done
		s.killQuery(context.Background(), bystander) // in case the test failed before
	}()
	waitProcess(t, s, bystander, true)
	for _, id := range []string{hostile, "' OR '1'='1", `\' OR 1=1 --`, "%", "vigil-%"} {
		n, err := s.killQuery(context.Background(), id)
		if err != nil || n != 0 {
			t.Errorf("killQuery(%q) = %d, %v; want 0 queries killed and no error", id, n, err)
		}
	}
	if !running(t, s, bystander) {
		t.Fatalf("query %s stopped by a KILL QUERY for another id", bystander)
	}
	if n, err := s.killQuery(context.Background(), bystander); err != nil || n != 1 {
		t.Fatalf("killQuery(%s) = %d, %v; want 1 query killed", bystander, n, err)
	}
	waitProcess(t, s, bystander, false)
}

// TestQueryTimeout checks that a query that outlives its caller's context
// fails with the context's error, and is gone from the server soon after.
// When the deadline reached the client's socket, the client cannot even
// send its cancel, and ClickHouse 18.16 would run the query until it
// stopped: vigil must have killed it (runaway). Otherwise the server
// usually heeds the cancel, and the kill finds the query ended or ends it.
func TestQueryTimeout(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	short := 300 * time.Millisecond
	tests := []struct {
		name    string
		opts    Options
		call    func(context.Context, *Source, string) error
		runaway bool
	}{
		{"query", Options{QueryTimeout: short}, querySlow, true},
		{"arrivals", Options{QueryTimeout: short}, arrivalsSlow, true},
		{"breakdown", Options{QueryTimeout: short}, breakdownSlow, true},
		{"query under a longer max_execution_time", Options{QueryTimeout: short, MaxExecutionTime: time.Minute}, querySlow, false},
		{"breakdown under a longer max_execution_time", Options{QueryTimeout: short, MaxExecutionTime: time.Minute}, breakdownSlow, false},
		{"query cancelled by the caller", Options{}, func(ctx context.Context, s *Source, rule string) error {
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(short, cancel)
			return querySlow(ctx, s, rule)
		}, false},
	}
	check := open(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := newRecords()
			tt.opts.DSN, tt.opts.Logger = dsn, slog.New(logs)
			s, err := Open(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			rule := hostile + tt.name
			err = tt.call(context.Background(), s, rule)
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				t.Fatalf("%s(slow) error = %v, want the context's", tt.name, err)
			}
			if err := s.Ping(context.Background()); err != nil {
				t.Errorf("Ping after a timed out query: %v", err)
			}
			if err := s.Close(); err != nil { // waits for the kill
				t.Errorf("Close: %v", err)
			}
			id, killed := logs.kill(t)
			if want := queryID(rule); !strings.HasPrefix(id, want[:len(want)-16]) {
				t.Errorf("kill names query %q, want an id of the form %s<16 hex digits>", id, want[:len(want)-16])
			}
			if tt.runaway && !killed {
				t.Errorf("query %s ended before it was killed, want it killed (the server cannot have heard the cancel)", id)
			}
			waitProcess(t, check, id, false)
		})
	}
}

// slowSQL counts through an endless table until something stops it.
const slowSQL = "SELECT count() FROM system.numbers WHERE number % 7 = 8"

// querySlow runs a query over system.numbers that never ends by itself.
func querySlow(ctx context.Context, s *Source, rule string) error {
	q := slowQuery()
	q.Rule = rule
	_, err := s.Query(ctx, q)
	return err
}

// slowTable is a structured query over system.numbers whose scan never
// ends: the table has no end and no index on the time.
func slowTable(rule string) sources.Query {
	return sources.Query{Rule: rule, Table: "system.numbers", Timestamp: "toDateTime(number)", Value: "count()",
		Granularity: time.Hour, From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}
}

func arrivalsSlow(ctx context.Context, s *Source, rule string) error {
	q := slowTable(rule)
	q.Arrival, q.Now, q.Probes = "toDateTime(number)", q.To, []time.Duration{time.Hour}
	_, _, err := s.QueryArrivals(ctx, q)
	return err
}

func breakdownSlow(ctx context.Context, s *Source, rule string) error {
	q := slowTable(rule)
	req := explain.Request{Groups: [][]string{{"number"}},
		Current:  explain.Range{From: q.To.Add(-time.Hour), To: q.To},
		Baseline: []explain.Range{{From: q.To.Add(-2 * time.Hour), To: q.To.Add(-time.Hour)}}}
	_, err := s.Breakdown(ctx, q, req)
	return err
}

// running reports whether query id is in system.processes.
func running(t *testing.T, s *Source, id string) bool {
	t.Helper()
	var n uint64
	err := s.Conn().QueryRow(context.Background(), "SELECT count() FROM system.processes WHERE query_id = ?", id).Scan(&n)
	if err != nil {
		t.Fatalf("system.processes: %v", err)
	}
	return n > 0
}

// waitProcess polls system.processes until query id is running (or, with
// want false, gone), and fails the test after ten seconds.
func waitProcess(t *testing.T, s *Source, id string, want bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for running(t, s, id) != want {
		if time.Now().After(deadline) {
			t.Fatalf("query %s running = %v after 10s, want %v", id, !want, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// records is a slog.Handler that keeps every record, with the attributes
// of its logger.
type records struct {
	log   *recordLog
	attrs []slog.Attr
}

type recordLog struct {
	mu   sync.Mutex
	list []slog.Record
}

func newRecords() *records { return &records{log: &recordLog{}} }

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) WithGroup(string) slog.Handler            { return h }
func (h *records) WithAttrs(as []slog.Attr) slog.Handler {
	return &records{log: h.log, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *records) Handle(_ context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(h.attrs...)
	h.log.mu.Lock()
	defer h.log.mu.Unlock()
	h.log.list = append(h.log.list, r)
	return nil
}

// kill returns the query_id that the source's one log record about a
// kill names, and whether the record says the query was killed (or else
// that it had ended already).
func (h *records) kill(t *testing.T) (id string, killed bool) {
	t.Helper()
	h.log.mu.Lock()
	defer h.log.mu.Unlock()
	var ids, msgs []string
	for _, r := range h.log.list {
		msgs = append(msgs, r.Level.String()+" "+r.Message)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "query_id" {
				ids = append(ids, a.Value.String())
				killed = r.Level == slog.LevelWarn && strings.Contains(r.Message, "killed")
			}
			return true
		})
	}
	if len(ids) != 1 {
		t.Fatalf("log records name query ids %q, want 1; logged: %q", ids, msgs)
	}
	return ids[0], killed
}
