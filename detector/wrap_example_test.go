package detector_test

import (
	"fmt"
	"time"

	"vigil/detector"
)

// Hourly orders that must stay above 100 alert only after three low hours
// in a row, and never at night.
func ExampleConsecutive() {
	lower := 100.0
	var d detector.Detector = detector.Threshold{Lower: &lower}
	d = detector.Consecutive(d, 3)
	d = detector.Mute(d, func(b time.Time) bool { return b.Hour() < 6 })
	s := detector.Series{
		Start:  time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC),
		Step:   time.Hour,
		Values: []float64{90, 80, 70, 150, 95, 90, 85, 120},
	}
	pts, err := d.Detect(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pts {
		if p.Reason != "" {
			fmt.Printf("%s alert=%v: %s\n", p.Time.Format("15:04"), p.Anomaly, p.Reason)
		}
	}
	// Output:
	// 03:00 alert=false: 90 below the lower bound 100; 1 hour in a row of the 3 needed
	// 04:00 alert=false: 80 below the lower bound 100; 2 hours in a row of the 3 needed
	// 05:00 alert=false: muted (70 below the lower bound 100; 3 hours in a row)
	// 07:00 alert=false: 95 below the lower bound 100; 1 hour in a row of the 3 needed
	// 08:00 alert=false: 90 below the lower bound 100; 2 hours in a row of the 3 needed
	// 09:00 alert=true: 85 below the lower bound 100; 3 hours in a row
}
