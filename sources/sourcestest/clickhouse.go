package sourcestest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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

// ClickHouseTable returns the statements that create table in ClickHouse
// (MergeTree, ordered by its first column) and load rows into it, for a
// table given as DuckDB-style SQL types (TIMESTAMP, VARCHAR, DOUBLE,
// BIGINT) such as the demo's. Times are written as Unix seconds and strings
// as escaped literals, a few hundred rows per statement, in the INSERT ...
// SELECT form that 18.16 and current releases both take.
func ClickHouseTable(table string, columns, types []string, rows [][]any) ([]string, error) {
	chTypes := map[string]string{"TIMESTAMP": "DateTime", "VARCHAR": "String", "DOUBLE": "Float64", "BIGINT": "Int64"}
	defs := make([]string, len(columns))
	for i, c := range columns {
		t, ok := chTypes[types[i]]
		if !ok {
			return nil, fmt.Errorf("column %s: type %s has no ClickHouse mapping", c, types[i])
		}
		defs[i] = c + " " + t
	}
	out := []string{"CREATE TABLE " + table + " (" + strings.Join(defs, ", ") + ") ENGINE = MergeTree() ORDER BY " + columns[0]}
	const chunk = 400
	list := strings.Join(columns, ", ")
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		cols := make([][]string, len(columns))
		for _, row := range part {
			for i, v := range row {
				lit, err := literal(v)
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", columns[i], err)
				}
				cols[i] = append(cols[i], lit)
			}
		}
		arrays := make([]string, len(columns))
		joins := make([]string, len(columns))
		for i, c := range columns {
			arrays[i] = "[" + strings.Join(cols[i], ", ") + "] AS " + c + "_"
			joins[i] = c + "_ AS " + c
		}
		out = append(out, "INSERT INTO "+table+" ("+list+") SELECT "+list+" FROM (SELECT "+
			strings.Join(arrays, ", ")+") ARRAY JOIN "+strings.Join(joins, ", "))
	}
	return out, nil
}

func literal(v any) (string, error) {
	switch x := v.(type) {
	case time.Time:
		return strconv.FormatInt(x.Unix(), 10), nil
	case string:
		return ClickHouseString(x), nil
	case float64:
		return float(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	}
	return "", fmt.Errorf("value %v of type %T has no ClickHouse literal", v, v)
}
