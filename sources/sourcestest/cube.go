package sourcestest

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/detector/explain"
	"vigil/sources"
)

// Null stands for SQL NULL among a cube row's dimension values.
const Null = "\x00null"

// Cube is a fact table whose breakdowns have known answers: one row per
// combination of dimension values (a leaf) and half hour, in the current
// bucket and in each baseline bucket, plus decoy rows just outside them
// that a correct query never reads. The metric is sum(amount), or for a
// ratio sum(orders) / sum(sessions).
type Cube struct {
	Name     string
	Dims     []string
	Ratio    bool
	Rows     []CubeRow
	At       time.Time       // start of the current bucket, an hour wide
	Baseline []explain.Range // the same hour in each of the previous four weeks
	Scale    float64         // standard deviation of the total's noise
	Opts     explain.Options // limits the scenario runs with
	check    func(t testing.TB, e *explain.Explanation)
}

// CubeRow is one row of a cube's table.
type CubeRow struct {
	TS                       time.Time
	Values                   []string // one per dimension; Null for NULL
	Amount, Orders, Sessions float64
}

// CubeAt is the current bucket of every cube.
var CubeAt = time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)

// cubeSpec describes a cube; see build.
type cubeSpec struct {
	name    string
	dims    []string
	values  [][]string
	ratio   bool
	total   float64                  // baseline volume: amount, or sessions for a ratio
	noise   float64                  // relative noise on each leaf and bucket
	seed    uint64                   // of the noise
	rate    func(v []string) float64 // ratio: baseline rate of a leaf
	effect  func(v []string) float64 // current = baseline × effect (amount, or the rate)
	traffic func(v []string) float64 // ratio: sessions now = before × traffic
}

// build lays the leaves out with Zipf-like volume shares (the j-th value of
// a dimension weighs 1/√(j+1)), so values differ in size.
func build(sp cubeSpec) *Cube {
	c := &Cube{Name: sp.name, Dims: sp.dims, Ratio: sp.ratio, At: CubeAt,
		Baseline: explain.Seasons(CubeAt, time.Hour, 7*24*time.Hour, 4, nil)}
	rng := rand.New(rand.NewPCG(sp.seed, 11))
	var variance, sessions float64
	for _, leaf := range product(sp.values) {
		vol := sp.total
		for i, j := range leaf.idx {
			vol *= zipf(j, len(sp.values[i]))
		}
		for p, r := range append([]explain.Range{{From: CubeAt}}, c.Baseline...) {
			cur := p == 0
			row := CubeRow{Values: leaf.values}
			eff, traffic := 1.0, 1.0
			if cur {
				eff, traffic = orOne(sp.effect, leaf.values), orOne(sp.traffic, leaf.values)
			}
			n := 1 + sp.noise*rng.NormFloat64()
			if sp.ratio {
				row.Sessions = vol * traffic
				row.Orders = row.Sessions * sp.rate(leaf.values) * eff * n
				if cur {
					variance += math.Pow(sp.noise*row.Orders, 2)
					sessions += row.Sessions
				}
			} else {
				row.Amount = vol * eff * n
				if cur {
					variance += math.Pow(sp.noise*vol*eff, 2)
				}
			}
			c.Rows = append(c.Rows, halves(r.From, row)...)
		}
		c.Rows = append(c.Rows, decoys(leaf.values)...)
	}
	c.Scale = math.Sqrt(variance)
	if sp.ratio {
		c.Scale /= sessions
	}
	return c
}

// halves splits a leaf's bucket into two rows: one on the bucket's first
// second (the lower bound is inclusive) and one in the middle.
func halves(from time.Time, r CubeRow) []CubeRow {
	a, b := r, r
	a.TS, b.TS = from, from.Add(35*time.Minute)
	a.Amount, a.Orders, a.Sessions = r.Amount/2, r.Orders/2, r.Sessions/2
	b.Amount, b.Orders, b.Sessions = r.Amount-a.Amount, r.Orders-a.Orders, r.Sessions-a.Sessions
	return []CubeRow{a, b}
}

// decoys are rows just outside the current bucket, on its end (the upper
// bound is exclusive) and a second before its start, large enough to
// spoil every answer of a query that reads them.
func decoys(values []string) []CubeRow {
	big := CubeRow{Values: values, Amount: 1e6, Orders: 1e6, Sessions: 1e6}
	a, b := big, big
	a.TS, b.TS = CubeAt.Add(time.Hour), CubeAt.Add(-time.Second)
	return []CubeRow{a, b}
}

func zipf(j, n int) float64 {
	var sum float64
	for k := range n {
		sum += 1 / math.Sqrt(float64(k+1))
	}
	return 1 / math.Sqrt(float64(j+1)) / sum
}

func orOne(f func([]string) float64, v []string) float64 {
	if f == nil {
		return 1
	}
	return f(v)
}

type leaf struct {
	idx    []int
	values []string
}

// product lists every combination of values, with their indices.
func product(values [][]string) []leaf {
	out := []leaf{{}}
	for _, vs := range values {
		var next []leaf
		for _, l := range out {
			for j, v := range vs {
				next = append(next, leaf{idx: append(slices.Clone(l.idx), j), values: append(slices.Clone(l.values), v)})
			}
		}
		out = next
	}
	return out
}

// names returns n values named prefix0, prefix1...
func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// Query returns the cube's metric over table.
func (c *Cube) Query(table string) sources.Query {
	q := sources.Query{Rule: c.Name, Table: table, Timestamp: "ts", Granularity: time.Hour, Location: time.UTC,
		From: c.At, To: c.At.Add(time.Hour)}
	if c.Ratio {
		q.Numerator, q.Denominator = "orders", "sessions"
	} else {
		q.Value = "sum(amount)"
	}
	return q
}

// Input returns what the detector would hand explain: the metric's actual
// value in the current bucket and its baseline mean as the expected value.
func (c *Cube) Input() explain.Input {
	var n1, d1, n0, d0 float64
	for _, r := range c.Rows {
		switch p := c.period(r.TS); {
		case p == 0:
			n1, d1 = n1+r.num(c.Ratio), d1+r.den(c.Ratio)
		case p > 0:
			n0, d0 = n0+r.num(c.Ratio), d0+r.den(c.Ratio)
		}
	}
	actual, expected := n1, n0/float64(len(c.Baseline))
	if c.Ratio {
		actual, expected = n1/d1, n0/d0
	}
	return explain.Input{Metric: c.Name, At: c.At, Step: time.Hour, Actual: actual, Expected: expected,
		Scale: c.Scale, Dimensions: c.Dims, Ratio: c.Ratio, Baseline: c.Baseline}
}

func (r CubeRow) num(ratio bool) float64 {
	if ratio {
		return r.Orders
	}
	return r.Amount
}

func (r CubeRow) den(ratio bool) float64 {
	if ratio {
		return r.Sessions
	}
	return 1
}

// period returns 0 for the current bucket, i for baseline bucket i, -1 for
// any other time.
func (c *Cube) period(ts time.Time) int {
	for i, r := range append([]explain.Range{explain.Bucket(c.At, time.Hour, nil)}, c.Baseline...) {
		if !ts.Before(r.From) && ts.Before(r.To) {
			return i
		}
	}
	return -1
}

// Columns returns the table's columns: ts, the dimensions, amount, orders
// and sessions.
func (c *Cube) Columns() []string {
	return append(append([]string{"ts"}, c.Dims...), "amount", "orders", "sessions")
}

// DuckDBTypes returns the column types for duckdb.CreateTable.
func (c *Cube) DuckDBTypes() []string {
	types := []string{"TIMESTAMP"}
	for range c.Dims {
		types = append(types, "VARCHAR")
	}
	return append(types, "DOUBLE", "DOUBLE", "DOUBLE")
}

// DuckDBRows returns the rows for duckdb.CreateTable.
func (c *Cube) DuckDBRows() [][]any {
	out := make([][]any, len(c.Rows))
	for i, r := range c.Rows {
		row := []any{r.TS.UTC()}
		for _, v := range r.Values {
			if v == Null {
				row = append(row, nil)
			} else {
				row = append(row, v)
			}
		}
		out[i] = append(row, r.Amount, r.Orders, r.Sessions)
	}
	return out
}

// ClickHouseCreate returns the statement that creates the cube's table;
// dimensions are Nullable(String) and their names quoted.
func (c *Cube) ClickHouseCreate(table string) string {
	cols := []string{"ts DateTime"}
	for _, d := range c.Dims {
		cols = append(cols, chIdent(d)+" Nullable(String)")
	}
	cols = append(cols, "amount Float64", "orders Float64", "sessions Float64")
	return "CREATE TABLE " + table + " (" + strings.Join(cols, ", ") + ") ENGINE = MergeTree() ORDER BY ts"
}

// ClickHouseInserts returns statements that load the rows, in the INSERT
// ... SELECT over literal arrays form that ClickHouseInserts explains.
func (c *Cube) ClickHouseInserts(table string) []string {
	const chunk = 500
	names := c.Columns()
	var out []string
	for start := 0; start < len(c.Rows); start += chunk {
		cols := make([][]string, len(names))
		for _, r := range c.Rows[start:min(start+chunk, len(c.Rows))] {
			vals := []string{strconv.FormatInt(r.TS.Unix(), 10)}
			for _, v := range r.Values {
				if v == Null {
					vals = append(vals, "NULL")
				} else {
					vals = append(vals, ClickHouseString(v))
				}
			}
			vals = append(vals, float(r.Amount), float(r.Orders), float(r.Sessions))
			for i, v := range vals {
				cols[i] = append(cols[i], v)
			}
		}
		arrays := make([]string, len(names))
		joins := make([]string, len(names))
		quoted := make([]string, len(names))
		for i, n := range names {
			alias := "vigil_c" + strconv.Itoa(i)
			arrays[i] = "[" + strings.Join(cols[i], ", ") + "] AS " + alias + "_"
			joins[i] = alias + "_ AS " + alias
			quoted[i] = chIdent(n)
		}
		aliases := make([]string, len(names))
		for i := range names {
			aliases[i] = "vigil_c" + strconv.Itoa(i)
		}
		out = append(out, "INSERT INTO "+table+" ("+strings.Join(quoted, ", ")+") SELECT "+strings.Join(aliases, ", ")+
			" FROM (SELECT "+strings.Join(arrays, ", ")+") ARRAY JOIN "+strings.Join(joins, ", "))
	}
	return out
}

var chIdentEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`")

func chIdent(name string) string { return "`" + chIdentEscaper.Replace(name) + "`" }
