package detector_test

import (
	"fmt"
	"time"

	"vigil/detector"
)

// ExampleSeasonal judges the last day of four weeks of hourly orders against
// the same hour on the previous seven days; only drops matter to this rule.
func ExampleSeasonal() {
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	orders := make([]float64, 4*7*24)
	for i := range orders {
		level := 200.0 // nights
		if h := i % 24; h >= 9 && h < 18 {
			level = 1000 // office hours
		}
		orders[i] = level + float64(i*37%11) - 5 // a small wiggle
	}
	orders[len(orders)-10] = 600 // 14:00 on the last day: a drop
	orders[len(orders)-4] = 300  // 20:00: a rise, which a down rule ignores

	m, err := detector.NewSeasonal(24*time.Hour, 7, detector.Guards{Direction: detector.Down})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := detector.Series{Start: start, Step: time.Hour, Values: orders}
	points, err := m.Detect(s, len(orders)-24)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range points {
		if p.Anomaly {
			fmt.Println(p.Time.Format("Mon 15:04"), p.Reason)
		}
	}
	// Output:
	// Sun 14:00 40% below the expected 992; lower bound 926
}
