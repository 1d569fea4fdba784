package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"sync"
	"testing"
	"time"
)

// generated caches Generate(testAnchor) for the tests that only read it.
var generated = sync.OnceValue(func() []Table { return Generate(testAnchor) })

// digest hashes every table's name, schema and rows.
func digest(t *testing.T, tabs []Table) string {
	t.Helper()
	h := sha256.New()
	for _, tab := range tabs {
		fmt.Fprintln(h, tab.Name, tab.Columns, tab.Types, len(tab.Rows))
		for _, r := range tab.Rows {
			for _, v := range r {
				writeValue(t, h, v)
			}
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func writeValue(t *testing.T, h hash.Hash, v any) {
	var b [8]byte
	switch v := v.(type) {
	case time.Time:
		binary.LittleEndian.PutUint64(b[:], uint64(v.UnixMicro()))
	case float64:
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
	case int64:
		binary.LittleEndian.PutUint64(b[:], uint64(v))
	case string:
		h.Write([]byte(v))
	default:
		t.Fatalf("value %v has type %T, want time.Time, float64, int64 or string", v, v)
	}
	h.Write(b[:])
}

func TestGenerateDeterministic(t *testing.T) {
	want := digest(t, generated())
	saoPaulo := time.FixedZone("BRT", -3*3600)
	tests := []struct {
		name   string
		anchor time.Time
		same   bool
	}{
		{name: "same anchor", anchor: testAnchor, same: true},
		{name: "same hour, minutes later", anchor: testAnchor.Add(25*time.Minute + 3*time.Second), same: true},
		{name: "same instant in another zone", anchor: testAnchor.In(saoPaulo), same: true},
		{name: "one hour later", anchor: testAnchor.Add(time.Hour), same: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := digest(t, Generate(tt.anchor))
			if (got == want) != tt.same {
				t.Errorf("Generate(%v) digest equal to Generate(%v): %v, want %v", tt.anchor, testAnchor, got == want, tt.same)
			}
		})
	}
}

func TestGenerateSchema(t *testing.T) {
	tabs := generated()
	tests := []struct {
		name          string
		columns       []string
		types         []string
		minRows, maxR int
	}{
		{
			name:    "orders",
			columns: []string{"created_at", "country", "platform", "channel", "amount", "status"},
			types:   []string{"TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR"},
			minRows: 250_000, maxR: 350_000,
		},
		{
			name:    "sessions",
			columns: []string{"hour", "country", "platform", "channel", "sessions", "checkouts"},
			types:   []string{"TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "BIGINT"},
			// every hour × country × platform × channel
			minRows: 1512 * 8 * 3 * 4, maxR: 1512 * 8 * 3 * 4,
		},
	}
	if len(tabs) != len(tests) {
		t.Fatalf("Generate returned %d tables, want %d", len(tabs), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := tableOf(t, tabs, tt.name)
			if fmt.Sprint(tab.Columns) != fmt.Sprint(tt.columns) || fmt.Sprint(tab.Types) != fmt.Sprint(tt.types) {
				t.Fatalf("schema = %v %v, want %v %v", tab.Columns, tab.Types, tt.columns, tt.types)
			}
			if n := len(tab.Rows); n < tt.minRows || n > tt.maxR {
				t.Errorf("%d rows, want %d to %d", n, tt.minRows, tt.maxR)
			}
			for i, r := range tab.Rows {
				if err := checkRow(r, tab.Types, testAnchor); err != nil {
					t.Fatalf("row %d %v: %v", i, r, err)
				}
			}
		})
	}
}

// checkRow checks that each value has the Go type of its SQL type and that
// times are UTC and inside the data's range.
func checkRow(r []any, types []string, anchor time.Time) error {
	if len(r) != len(types) {
		return fmt.Errorf("%d values for %d columns", len(r), len(types))
	}
	for i, v := range r {
		ok := false
		switch types[i] {
		case "TIMESTAMP":
			var at time.Time
			at, ok = v.(time.Time)
			if ok && (at.Location() != time.UTC || at.Before(anchor.Add(-History)) || !at.Before(anchor)) {
				return fmt.Errorf("time %v outside [%v, %v) or not UTC", at, anchor.Add(-History), anchor)
			}
		case "VARCHAR":
			var s string
			s, ok = v.(string)
			ok = ok && s != ""
		case "DOUBLE":
			var f float64
			f, ok = v.(float64)
			ok = ok && f > 0 && !math.IsInf(f, 0)
		case "BIGINT":
			var n int64
			n, ok = v.(int64)
			ok = ok && n >= 0
		}
		if !ok {
			return fmt.Errorf("column %d: %v (%T) is not a valid %s", i, v, v, types[i])
		}
	}
	return nil
}

func TestGenerateDomains(t *testing.T) {
	tabs := generated()
	allowed := map[string][]string{
		"country":  {"BR", "US", "MX", "DE", "GB", "FR", "IN", "JP"},
		"platform": {"android", "ios", "web"},
		"channel":  {"organic", "paid", "email", "referral"},
		"status":   {"completed", "cancelled", "refunded"},
	}
	for _, tab := range tabs {
		seen := map[string]map[any]int{}
		for _, r := range tab.Rows {
			for i, c := range tab.Columns {
				if _, ok := allowed[c]; ok {
					if seen[c] == nil {
						seen[c] = map[any]int{}
					}
					seen[c][r[i]]++
				}
			}
		}
		for c, vals := range seen {
			if len(vals) != len(allowed[c]) {
				t.Errorf("%s.%s has values %v, want exactly %v", tab.Name, c, vals, allowed[c])
			}
			for _, v := range allowed[c] {
				if vals[v] == 0 {
					t.Errorf("%s.%s never is %q", tab.Name, c, v)
				}
			}
		}
	}
}

func TestSessionsCheckoutsBelowSessions(t *testing.T) {
	for i, r := range tableOf(t, generated(), "sessions").Rows {
		if s, k := r[4].(int64), r[5].(int64); k > s {
			t.Fatalf("sessions row %d: %d checkouts in %d sessions", i, k, s)
		}
	}
}

func TestOrdersSortedWithinHours(t *testing.T) {
	rows := tableOf(t, generated(), "orders").Rows
	for i := 1; i < len(rows); i++ {
		if rows[i][0].(time.Time).Before(rows[i-1][0].(time.Time)) {
			t.Fatalf("orders row %d at %v before row %d at %v", i, rows[i][0], i-1, rows[i-1][0])
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	var rows int
	for b.Loop() {
		rows = 0
		for _, tab := range Generate(testAnchor) {
			rows += len(tab.Rows)
		}
	}
	b.ReportMetric(float64(rows), "rows/op")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1e3, "ms/op")
}
