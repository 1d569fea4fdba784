package backtest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Header is the header row WriteCSV writes.
const Header = "timestamp,value,expected,lower,upper,score,anomaly"

// WriteCSV writes rows as CSV under Header: the timestamp as given, numbers
// in their shortest exact decimal form (FormatNumber), empty for NaN, and
// anomaly as 0 or 1.
func WriteCSV(w io.Writer, rows []Row) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(Header + "\n")
	buf := make([]byte, 0, 128)
	for _, r := range rows {
		buf = appendField(buf[:0], r.Timestamp)
		for _, x := range [...]float64{r.Value, r.Expected, r.Lower, r.Upper, r.Score} {
			buf = append(buf, ',')
			buf = AppendNumber(buf, x)
		}
		if r.Anomaly {
			buf = append(buf, ",1\n"...)
		} else {
			buf = append(buf, ",0\n"...)
		}
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// appendField appends s, quoted when CSV needs it.
func appendField(b []byte, s string) []byte {
	need := false
	for i := range len(s) {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := range len(s) {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// AppendNumber appends x in the shortest form that reads back exactly:
// plain decimals between 1e-4 and 1e15 in magnitude ("1500000", "0.0125"),
// exponent form outside ("2.5e-07"), nothing for NaN.
func AppendNumber(b []byte, x float64) []byte {
	if math.IsNaN(x) {
		return b
	}
	if a := math.Abs(x); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}
