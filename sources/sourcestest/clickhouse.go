package sourcestest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ClickHouseCreate returns the statement that creates the test table in
// ClickHouse. It runs on 18.16 and on current releases.
func ClickHouseCreate(table string) string {
	return "CREATE TABLE " + table + " (ts DateTime, user_id Int64, amount Float64, " +
		"discount Nullable(Float64), status String, country String, visits Int64, orders Int64) " +
		"ENGINE = MergeTree() ORDER BY ts"
}

// ClickHouseInserts returns INSERT statements that load evs into table, a
// few hundred rows each, with every value written as an escaped literal and
// times as Unix seconds (so the server's own zone plays no part). ClickHouse
// 18.16 cannot take batches from current clients; plain INSERTs work
// everywhere.
func ClickHouseInserts(table string, evs []Event) []string {
	const chunk = 500
	var out []string
	for start := 0; start < len(evs); start += chunk {
		end := min(start+chunk, len(evs))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(Columns, ", ") + ") VALUES ")
		for i, e := range evs[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d, %s, %s, %s, %s, %d, %d)", e.TS.Unix(), e.UserID, float(e.Amount),
				float(e.Discount), ClickHouseString(e.Status), ClickHouseString(e.Country), e.Visits, e.Orders)
		}
		out = append(out, b.String())
	}
	return out
}

// float writes a ClickHouse number literal; NaN stands for NULL.
func float(f float64) string {
	if math.IsNaN(f) {
		return "NULL"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

var chEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`, "\n", `\n`, "\r", `\r`, "\t", `\t`)

// ClickHouseString writes s as a ClickHouse string literal.
func ClickHouseString(s string) string {
	return "'" + chEscaper.Replace(s) + "'"
}
