package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"vigil/internal/state"
	"vigil/notifiers"
	"vigil/sources/clickhouse"
	"vigil/sources/duckdb"
)

// Incident history goes to a warehouse table through the outbox, like a
// notification: each row is recorded in the state store together with the
// incident change it describes and written afterwards, retried while the
// warehouse is down, and asked about (Delivered) after a restart. Each row
// has a unique event_key ("<incident>|<kind>|<bucket unix>|@history"), so
// a write that is repeated is recognised: DuckDB's table has it as primary
// key and ignores a second insert; in ClickHouse the writer looks before
// it inserts, and the table is a ReplacingMergeTree ordered by event_key,
// which folds any duplicate away on merges (read it with FINAL to be sure).

// historyRow is one incident event, as stored in a delivery's payload and
// written to the table.
type historyRow struct {
	EventKey    string          `json:"event_key"`
	Incident    string          `json:"incident_id"`
	Rule        string          `json:"rule"`
	Series      string          `json:"series,omitempty"`
	Event       string          `json:"event"` // open, reopen, update, resolve
	State       string          `json:"state"`
	Bucket      time.Time       `json:"bucket"`
	Start       time.Time       `json:"started_at"`
	ResolvedAt  *time.Time      `json:"resolved_at,omitempty"`
	Value       jsonFloat       `json:"value"`
	Expected    jsonFloat       `json:"expected"`
	Lower       jsonFloat       `json:"lower"`
	Upper       jsonFloat       `json:"upper"`
	Score       jsonFloat       `json:"score"`
	Direction   string          `json:"direction,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
	RecordedAt  time.Time       `json:"recorded_at"`
}

// historyColumns are the table's columns, in the order values are bound.
var historyColumns = []string{"event_key", "incident_id", "rule", "series", "event", "state",
	"bucket", "started_at", "resolved_at", "value", "expected", "lower", "upper", "score",
	"direction", "reason", "explanation", "recorded_at"}

// historyDialect is what writing history needs from one kind of warehouse.
type historyDialect interface {
	create(ctx context.Context, table string) error
	insert(ctx context.Context, table string, r historyRow) error
	exists(ctx context.Context, table, key string) (bool, error)
}

// historyWriter writes rows to one table, creating it on first use (so
// that a warehouse that is down when vigil starts only delays history).
type historyWriter struct {
	table   string
	dialect historyDialect

	mu      sync.Mutex
	created bool
}

// newHistoryWriter returns a writer for table in src, a DuckDB or
// ClickHouse source (possibly wrapped by the engine).
func newHistoryWriter(src any, table string) (*historyWriter, error) {
	switch s := unwrap(src).(type) {
	case *duckdb.Source:
		return &historyWriter{table: table, dialect: duckHistory{s.DB()}}, nil
	case *clickhouse.Source:
		return &historyWriter{table: table, dialect: chHistory{s.Conn()}}, nil
	}
	return nil, fmt.Errorf("history: source type %T cannot take history; use a duckdb or clickhouse source", src)
}

func (w *historyWriter) ensure(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.created {
		return nil
	}
	if err := w.dialect.create(ctx, w.table); err != nil {
		return fmt.Errorf("history: create table %s: %w", w.table, err)
	}
	w.created = true
	return nil
}

// send writes the row in d's payload. Every failure but a bad payload may
// pass: the warehouse may be down.
func (w *historyWriter) send(ctx context.Context, d state.Delivery) (bool, error) {
	var r historyRow
	if err := json.Unmarshal(d.Payload, &r); err != nil {
		return false, notifiers.Permanent(fmt.Errorf("history: decode row: %w", err))
	}
	if err := w.ensure(ctx); err != nil {
		return true, err
	}
	if err := w.dialect.insert(ctx, w.table, r); err != nil {
		return true, fmt.Errorf("history: insert into %s: %w", w.table, err)
	}
	return false, nil
}

func (w *historyWriter) prober(state.Delivery) (notifiers.Prober, bool) { return w, true }

// Delivered reports whether the row with this event key is in the table.
func (w *historyWriter) Delivered(ctx context.Context, key string) (bool, error) {
	if err := w.ensure(ctx); err != nil {
		return false, err
	}
	return w.dialect.exists(ctx, w.table, key)
}

// values returns r's column values for binding: NULL for a missing number
// or resolution, times in UTC.
func (r historyRow) values(unix bool) []any {
	at := func(t time.Time) any {
		if unix {
			return t.Unix()
		}
		return t.UTC()
	}
	num := func(f jsonFloat) any {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return nil
		}
		return float64(f)
	}
	var resolved any
	if r.ResolvedAt != nil {
		resolved = at(*r.ResolvedAt)
	}
	return []any{r.EventKey, r.Incident, r.Rule, r.Series, r.Event, r.State,
		at(r.Bucket), at(r.Start), resolved, num(r.Value), num(r.Expected), num(r.Lower), num(r.Upper), num(r.Score),
		r.Direction, r.Reason, string(r.Explanation), at(r.RecordedAt)}
}

// duckHistory writes history to DuckDB.
type duckHistory struct{ db *sql.DB }

func (h duckHistory) create(ctx context.Context, table string) error {
	_, err := h.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+table+` (
	event_key VARCHAR PRIMARY KEY, incident_id VARCHAR, rule VARCHAR, series VARCHAR, event VARCHAR, state VARCHAR,
	bucket TIMESTAMP, started_at TIMESTAMP, resolved_at TIMESTAMP,
	value DOUBLE, expected DOUBLE, lower DOUBLE, upper DOUBLE, score DOUBLE,
	direction VARCHAR, reason VARCHAR, explanation VARCHAR, recorded_at TIMESTAMP)`)
	return err
}

func (h duckHistory) insert(ctx context.Context, table string, r historyRow) error {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(historyColumns)), ", ")
	_, err := h.db.ExecContext(ctx, "INSERT INTO "+table+" ("+strings.Join(historyColumns, ", ")+
		") VALUES ("+marks+") ON CONFLICT DO NOTHING", r.values(false)...)
	return err
}

func (h duckHistory) exists(ctx context.Context, table, key string) (bool, error) {
	var n int
	err := h.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE event_key = ?", key).Scan(&n)
	return n > 0, err
}

// chHistory writes history to ClickHouse, in SQL that 18.16 takes: no
// INSERT ... VALUES through Exec (18.16 waits for data blocks that never
// come), but INSERT ... SELECT with values bound, and escaped, by the
// client.
type chHistory struct{ conn driver.Conn }

func (h chHistory) create(ctx context.Context, table string) error {
	return h.conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+table+` (
	event_key String, incident_id String, rule String, series String, event String, state String,
	bucket DateTime, started_at DateTime, resolved_at Nullable(DateTime),
	value Nullable(Float64), expected Nullable(Float64), lower Nullable(Float64), upper Nullable(Float64), score Nullable(Float64),
	direction String, reason String, explanation String, recorded_at DateTime)
	ENGINE = ReplacingMergeTree(recorded_at) ORDER BY event_key`)
}

// chTypes cast each bound value to its column's type, so that a NULL
// takes the column's type too.
var chTypes = []string{"String", "String", "String", "String", "String", "String",
	"DateTime", "DateTime", "Nullable(DateTime)", "Nullable(Float64)", "Nullable(Float64)", "Nullable(Float64)",
	"Nullable(Float64)", "Nullable(Float64)", "String", "String", "String", "DateTime"}

func (h chHistory) insert(ctx context.Context, table string, r historyRow) error {
	if ok, err := h.exists(ctx, table, r.EventKey); err != nil || ok {
		return err
	}
	exprs := make([]string, len(chTypes))
	for i, t := range chTypes {
		switch t {
		case "DateTime":
			exprs[i] = "toDateTime(?)"
		case "Nullable(DateTime)":
			exprs[i] = "CAST(toDateTime(?) AS Nullable(DateTime))"
		default:
			exprs[i] = "CAST(? AS " + t + ")"
		}
	}
	vals := r.values(true)
	if vals[8] == nil {
		exprs[8] = "CAST(NULL AS Nullable(DateTime))"
		vals = append(vals[:8:8], vals[9:]...)
	}
	return h.conn.Exec(ctx, "INSERT INTO "+table+" ("+strings.Join(historyColumns, ", ")+") SELECT "+
		strings.Join(exprs, ", "), vals...)
}

func (h chHistory) exists(ctx context.Context, table, key string) (bool, error) {
	var n uint64
	err := h.conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE event_key = ?", key).Scan(&n)
	return n > 0, err
}
