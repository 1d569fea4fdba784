package clickhouse

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"vigil/sources"
	"vigil/sources/sourcestest"
)

// open opens the test server, checked with Ping.
func open(t testing.TB) *Source {
	t.Helper()
	s, err := Open(context.Background(), Options{DSN: sourcestest.ClickHouseDSN(t), ConnectTimeout: 5 * time.Second, QueryTimeout: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	return s
}

// setUp runs statements on s and drops table when the test ends.
func setUp(t testing.TB, s *Source, table string, stmts ...string) {
	t.Helper()
	t.Cleanup(func() { s.Conn().Exec(context.Background(), dropTable(table)) })
	for _, st := range append([]string{dropTable(table)}, stmts...) {
		if err := s.Conn().Exec(context.Background(), st); err != nil {
			t.Fatalf("load %s: %.200s: %v", table, st, err)
		}
	}
}

// tableName returns a name for a test table of its own.
func tableName(what string) string {
	return fmt.Sprintf("vigil_test_%s_%d_%d", what, os.Getpid(), time.Now().UnixNano()%1e6)
}

// loadEvents loads the test events into a table of their own, with ts of
// type timeType.
func loadEvents(t *testing.T, s *Source, timeType string) string {
	t.Helper()
	table := tableName("events")
	setUp(t, s, table, append([]string{sourcestest.ClickHouseCreate(table, timeType)},
		sourcestest.ClickHouseInserts(table, sourcestest.Events())...)...)
	return table
}

// engine returns the shared engine tests over s.
func engine(s *Source) sourcestest.Engine {
	return sourcestest.Engine{SQL: sqlTests(), Source: s, Run: s.fetch}
}

func dropTable(table string) string { return "DROP TABLE IF EXISTS " + table }

// TestQueryCases runs every case over a plain DateTime column and over one
// with its own zone, which must change nothing.
func TestQueryCases(t *testing.T) {
	s := open(t)
	for _, timeType := range []string{"DateTime", "DateTime('Asia/Tokyo')"} {
		t.Run(timeType, func(t *testing.T) { engine(s).TestQueryCases(t, loadEvents(t, s, timeType)) })
	}
}

func TestQuestionMarks(t *testing.T) {
	s := open(t)
	engine(s).TestQuestionMarks(t, loadEvents(t, s, "DateTime"))
}

func TestQueryErrors(t *testing.T) {
	s := open(t)
	engine(s).TestQueryErrors(t, loadEvents(t, s, "DateTime"))
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
