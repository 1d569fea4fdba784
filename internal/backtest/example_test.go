package backtest_test

import (
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"vigil/detector"
	"vigil/internal/backtest"
)

// exampleCSV is three weeks of an hourly metric with a daily cycle, a
// little wobble, one spike and one missing hour.
func exampleCSV() string {
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	for i := range 21 * 24 {
		v := 100 + 40*math.Sin(2*math.Pi*float64(i)/24) + 3*math.Sin(1.7*float64(i))
		ts := start.Add(time.Duration(i) * time.Hour).Format(time.DateTime)
		switch i {
		case 400:
			v += 60
		case 401:
			fmt.Fprintf(&b, "%s,\n", ts)
			continue
		}
		fmt.Fprintf(&b, "%s,%.1f\n", ts, v)
	}
	return b.String()
}

func ExampleRun() {
	in, err := backtest.ReadCSV(strings.NewReader(exampleCSV()))
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := backtest.Run(detector.STL{Period: 24}, in)
	if err != nil {
		fmt.Println(err)
		return
	}
	judged := 0
	for _, r := range rows {
		if r.Judged() {
			judged++
		}
		if r.Anomaly {
			fmt.Printf("%s: %.0f, expected %.0f (%s)\n", r.Timestamp, r.Value, r.Expected, r.Reason)
		}
	}
	fmt.Printf("%d rows at %v, %d judged\n", len(rows), in.Granularity, judged)
	// Output:
	// 2024-03-20 16:00:00: 128, expected 65 (98% above the expected 64.9; upper bound 83.9)
	// 504 rows at 1h0m0s, 456 judged
}

func ExampleWriteCSV() {
	nan := math.NaN()
	rows := []backtest.Row{
		{Timestamp: "2024-03-20 15:00:00", Value: 71.2, Expected: nan, Lower: nan, Upper: nan},
		{Timestamp: "2024-03-20 16:00:00", Value: 128.4, Expected: 64.9, Lower: 45.9, Upper: 83.9, Score: 0.93, Anomaly: true},
		{Timestamp: "2024-03-20 17:00:00", Value: nan, Expected: 60.2, Lower: 41.2, Upper: 79.2},
	}
	if err := backtest.WriteCSV(os.Stdout, rows); err != nil {
		fmt.Println(err)
	}
	// Output:
	// timestamp,value,expected,lower,upper,score,anomaly
	// 2024-03-20 15:00:00,71.2,,,,0,0
	// 2024-03-20 16:00:00,128.4,64.9,45.9,83.9,0.93,1
	// 2024-03-20 17:00:00,,60.2,41.2,79.2,0,0
}

func ExampleScore() {
	labels, err := backtest.ParseLabels(strings.NewReader(`{"anomalies": [
		{"start": "2024-03-20T16:00:00Z", "end": "2024-03-20T18:00:00Z"},
		"2024-03-22T09:00:00Z"
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	at := func(s string) time.Time { t, _ := backtest.ParseTime(s); return t }
	rows := []backtest.Row{
		{Time: at("2024-03-20 16:00:00"), Value: 1, Anomaly: true}, // finds the first window
		{Time: at("2024-03-20 17:00:00"), Value: 1, Anomaly: true},
		{Time: at("2024-03-21 03:00:00"), Value: 1, Anomaly: true}, // a false alarm
		{Time: at("2024-03-21 04:00:00"), Value: 1, Anomaly: true}, // the same false alarm
		{Time: at("2024-03-22 09:00:00"), Value: 1},                // misses the second
	}
	m := backtest.Score(rows, labels, backtest.ScoreOptions{})
	fmt.Printf("events: TP %d FP %d FN %d, precision %.2f recall %.2f F1 %.2f\n", m.TP, m.FP, m.FN, m.Precision, m.Recall, m.F1)
	fmt.Printf("points: TP %d FP %d FN %d\n", m.Point.TP, m.Point.FP, m.Point.FN)
	// Output:
	// events: TP 1 FP 1 FN 1, precision 0.50 recall 0.50 F1 0.50
	// points: TP 2 FP 2 FN 1
}
