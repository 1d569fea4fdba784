package backtest

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestWriteCSV(t *testing.T) {
	nan := math.NaN()
	rows := []Row{
		{Timestamp: "2024-03-01 00:00:00", Value: 1500000, Expected: nan, Lower: nan, Upper: nan},
		{Timestamp: "2024-03-01T01:00:00Z", Value: nan, Expected: 12.5, Lower: 10, Upper: 15},
		{Timestamp: "2024-03-01,02", Value: 0.0125, Expected: 0.01, Lower: -math.Inf(1), Upper: 0.012, Score: 0.625, Anomaly: true},
		{Timestamp: "x", Value: 2.5e-7, Expected: 1e20, Lower: 0, Upper: -3},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := `timestamp,value,expected,lower,upper,score,anomaly
2024-03-01 00:00:00,1500000,,,,0,0
2024-03-01T01:00:00Z,,12.5,10,15,0,0
"2024-03-01,02",0.0125,0.01,-Inf,0.012,0.625,1
x,2.5e-07,1e+20,0,-3,0,0
`
	if got := b.String(); got != want {
		t.Errorf("WriteCSV =\n%s\nwant\n%s", got, want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCSVError(t *testing.T) {
	if err := WriteCSV(failWriter{}, []Row{{Timestamp: "x"}}); err == nil {
		t.Error("WriteCSV to a failing writer = nil error")
	}
}

func TestAppendNumberRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		x := math.Float64frombits(rng.Uint64())
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		s := string(AppendNumber(nil, x))
		if y, err := strconv.ParseFloat(s, 64); err != nil || y != x {
			t.Fatalf("AppendNumber(%v) = %q, reads back as %v, %v", x, s, y, err)
		}
	}
}
