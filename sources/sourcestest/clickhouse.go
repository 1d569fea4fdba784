package sourcestest

import (
	"math"
	"strconv"
	"strings"
)

// ClickHouseCreate returns the statement that creates the test table in
// ClickHouse, with ts of type timeType ("DateTime", or a zoned
// "DateTime('Asia/Tokyo')"). It runs on 18.16 and on current releases.
func ClickHouseCreate(table, timeType string) string {
	return "CREATE TABLE " + table + " (ts " + timeType + ", user_id Int64, amount Float64, " +
		"discount Nullable(Float64), status String, country String, visits Int64, orders Int64) " +
		"ENGINE = MergeTree() ORDER BY ts"
}

// ClickHouseInserts returns statements that load evs into table, a few
// hundred rows each, with every value written as an escaped literal and
// times as Unix seconds (so the server's own zone plays no part).
//
// ClickHouse 18.16 takes neither batches from current clients nor INSERT
// ... VALUES through Exec (the server waits for data blocks the client never
// sends), so the rows arrive as INSERT ... SELECT over literal arrays, one
// per column, joined with ARRAY JOIN. That form runs on current releases too.
func ClickHouseInserts(table string, evs []Event) []string {
	const chunk = 500
	var out []string
	for start := 0; start < len(evs); start += chunk {
		part := evs[start:min(start+chunk, len(evs))]
		cols := make([][]string, len(Columns))
		for _, e := range part {
			vals := []string{strconv.FormatInt(e.TS.Unix(), 10), strconv.FormatInt(e.UserID, 10), float(e.Amount),
				float(e.Discount), ClickHouseString(e.Status), ClickHouseString(e.Country),
				strconv.FormatInt(e.Visits, 10), strconv.FormatInt(e.Orders, 10)}
			for i, v := range vals {
				cols[i] = append(cols[i], v)
			}
		}
		arrays := make([]string, len(Columns))
		joins := make([]string, len(Columns))
		for i, c := range Columns {
			arrays[i] = "[" + strings.Join(cols[i], ", ") + "] AS " + c + "_"
			joins[i] = c + "_ AS " + c
		}
		list := strings.Join(Columns, ", ")
		out = append(out, "INSERT INTO "+table+" ("+list+") SELECT "+list+" FROM (SELECT "+
			strings.Join(arrays, ", ")+") ARRAY JOIN "+strings.Join(joins, ", "))
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
