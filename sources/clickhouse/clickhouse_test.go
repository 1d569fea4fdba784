package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"vigil/detector"
	"vigil/sources"
	"vigil/sources/sourcestest"
)

// load opens the test server and loads the test events into a table of
// its own, with ts of type timeType, dropped when the test ends.
func load(t *testing.T, timeType string) (*Source, string) {
	t.Helper()
	dsn := sourcestest.ClickHouseDSN(t)
	ctx := context.Background()
	s, err := Open(ctx, Options{DSN: dsn, ConnectTimeout: 5 * time.Second, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	table := fmt.Sprintf("vigil_test_events_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	stmts := append([]string{dropTable(table), sourcestest.ClickHouseCreate(table, timeType)},
		sourcestest.ClickHouseInserts(table, sourcestest.Events())...)
	for _, st := range stmts {
		if err := s.Conn().Exec(ctx, st); err != nil {
			t.Fatalf("load test data: %v", err)
		}
	}
	t.Cleanup(func() { s.Conn().Exec(context.Background(), dropTable(table)) })
	return s, table
}

func dropTable(table string) string { return "DROP TABLE IF EXISTS " + table }

// TestQueryCases runs every case over a plain DateTime column and over one
// with its own zone, which must change nothing.
func TestQueryCases(t *testing.T) {
	evs := sourcestest.Events()
	for _, timeType := range []string{"DateTime", "DateTime('Asia/Tokyo')"} {
		s, table := load(t, timeType)
		for _, c := range sourcestest.Cases(table) {
			t.Run(timeType+"/"+c.Name, func(t *testing.T) {
				want, err := c.Want(evs)
				if err != nil {
					t.Fatalf("Want: %v", err)
				}
				got, err := s.Query(context.Background(), c.For(sourcestest.ClickHouse))
				if err != nil {
					t.Fatalf("Query: %v", err)
				}
				if d := sourcestest.Diff(got, want); d != "" {
					t.Errorf("Query(%s) differs from the reference:\n%s", c.Name, d)
				}
				checkRender(t, s, c.For(sourcestest.ClickHouse), want)
			})
		}
	}
}

// TestQuestionMarks checks that a ? in the rule's name or in a string of
// its filter is not taken for a parameter.
func TestQuestionMarks(t *testing.T) {
	s, table := load(t, "DateTime")
	c := sourcestest.Cases(table)[0]
	want, err := c.Want(sourcestest.Events())
	if err != nil {
		t.Fatal(err)
	}
	q := c.For(sourcestest.ClickHouse)
	q.Rule, q.Filter = "orders?", "status <> '?' AND country <> 'a?b'"
	got, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if d := sourcestest.Diff(got, want); d != "" {
		t.Errorf("Query(question marks) differs:\n%s", d)
	}
}

func TestQueryErrors(t *testing.T) {
	s, table := load(t, "DateTime")
	base := sources.Query{Rule: "orders", Table: table, Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		From: time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name string
		edit func(*sources.Query)
		want []string
	}{
		{"missing table", func(q *sources.Query) { q.Table = "vigil_no_such_table" }, []string{`rule "orders"`, "vigil_no_such_table"}},
		{"missing column", func(q *sources.Query) { q.Value = "sum(price)" }, []string{`rule "orders"`, "price"}},
		{"raw sql three columns", func(q *sources.Query) {
			q.Value, q.SQL = "", "SELECT ts, 1, 2 FROM "+table+" WHERE ts >= {{from}} AND ts < {{to}}"
		}, []string{`rule "orders"`, "2 columns"}},
		{"raw sql misaligned", func(q *sources.Query) {
			q.Value, q.SQL = "", "SELECT toDateTime('2024-03-29 01:30:00', 'UTC'), 1 WHERE {{from}} < {{to}}"
		}, []string{`rule "orders"`, "not a bucket start"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := base
			tt.edit(&q)
			_, err := s.Query(context.Background(), q)
			if err == nil {
				t.Fatalf("Query(%s) = nil error, want one mentioning %q", tt.name, tt.want)
			}
			t.Logf("%v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Query(%s) error %q does not mention %q", tt.name, err, w)
				}
			}
		})
	}
}

func TestQueryTimeout(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	tests := []struct {
		name string
		opts Options
	}{
		{"query timeout", Options{QueryTimeout: 300 * time.Millisecond}},
		{"query timeout under a longer max_execution_time", Options{QueryTimeout: 300 * time.Millisecond, MaxExecutionTime: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.DSN = dsn
			s, err := Open(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, err = s.Query(context.Background(), slowQuery())
			t.Logf("%v", err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Query(slow) error = %v, want context.DeadlineExceeded", err)
			}
			if err := s.Ping(context.Background()); err != nil {
				t.Errorf("Ping after a timed out query: %v", err)
			}
		})
	}
}

// slowQuery counts through an endless table until something stops it.
func slowQuery() sources.Query {
	return sources.Query{Rule: "slow", Granularity: time.Hour,
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		SQL: "SELECT {{from}} AS b, count() FROM system.numbers WHERE number % 7 = {{bucket_seconds}} AND {{to}} > b"}
}

func TestDeadServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	s, err := Open(context.Background(), Options{DSN: "clickhouse://vigil:s3cret-pw@" + addr + "/default", ConnectTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("Open(dead server) = %v, want no error before the first use", err)
	}
	defer s.Close()
	q := sources.Query{Rule: "orders", Table: "events", Timestamp: "ts", Value: "count()", Granularity: time.Hour,
		From: time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC)}
	_, qerr := s.Query(context.Background(), q)
	perr := s.Ping(context.Background())
	for _, err := range []error{qerr, perr} {
		if err == nil {
			t.Fatal("query on a dead server = nil error")
		}
		if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "refused") {
			t.Errorf("error %q does not name the address %s and the refusal", err, addr)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("error %q shows the password", err)
		}
	}
	t.Logf("query: %v\nping: %v", qerr, perr)
	if !strings.Contains(qerr.Error(), `rule "orders"`) {
		t.Errorf("Query error %q does not name the rule", qerr)
	}
}

// checkRender runs the SQL that Render shows, bounds inlined, and checks
// that it returns what Query does.
func checkRender(t *testing.T, s *Source, q sources.Query, want detector.Series) {
	t.Helper()
	text, err := s.Render(q)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	rows, err := s.fetch(context.Background(), q, text, nil)
	if err != nil {
		t.Fatalf("running the rendered SQL: %v\n%s", err, text)
	}
	got, err := sources.Fill(q, rows)
	if err != nil {
		t.Fatalf("Fill: %v", err)
	}
	if d := sourcestest.Diff(got, want); d != "" {
		t.Errorf("rendered SQL of %s returns other values:\n%s", q.Rule, d)
	}
}

// TestMaxExecutionTime checks that the server stops a query after
// MaxExecutionTime, also when the caller's deadline is further away.
func TestMaxExecutionTime(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	s, err := Open(context.Background(), Options{DSN: dsn, MaxExecutionTime: time.Second, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Query(context.Background(), slowQuery())
	if err == nil || !strings.Contains(err.Error(), "Timeout exceeded") {
		t.Fatalf("Query(slow) with max_execution_time 1s: error = %v, want the server's timeout", err)
	}
}

// TestTLS checks that a TLS config is used: the plain test server cannot
// complete a TLS handshake.
func TestTLS(t *testing.T) {
	dsn := sourcestest.ClickHouseDSN(t)
	s, err := Open(context.Background(), Options{DSN: dsn, TLS: &tls.Config{ServerName: "localhost"}, ConnectTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping over TLS to a plain server = nil error")
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"empty", " ", "dsn is empty"},
		{"no host", "clickhouse:///default", "dsn"},
		{"bad setting", "clickhouse://u:s3cret-pw@host:9000/db?dial_timeout=xyz", "dial timeout"},
		{"bad url keeps the password out", "clickhouse://u:s3cret-pw@ho st:9000/db", "dsn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(context.Background(), Options{DSN: tt.dsn})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open(%s) error = %v, want one containing %q", tt.name, err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("Open(%s) error %q shows the password", tt.name, err)
			}
		})
	}
}
