package detector_test

import (
	"fmt"
	"math"
	"time"

	"vigil/detector"
)

// Six weeks of hourly orders, quieter at weekends, with a drop in the last
// hour.
func exampleOrders() detector.Series {
	v := make([]float64, 24*7*6)
	for i := range v {
		v[i] = 1000 + 400*math.Sin(2*math.Pi*float64(i)/24) + 20*math.Sin(float64(i)*1.7)
		if day := i / 24 % 7; day >= 5 {
			v[i] -= 300
		}
	}
	v[len(v)-1] -= 500
	return detector.Series{Start: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC), Step: time.Hour, Values: v}
}

func ExampleChoose() {
	c := detector.Choose(exampleOrders())
	fmt.Println(c.Seasonality, c.Period, c.Method)
	// Output: weekly 168 seasonal
}

func ExampleSTL() {
	s := exampleOrders()
	d, err := detector.NewSTL(detector.STL{Period: 168})
	if err != nil {
		fmt.Println(err)
		return
	}
	pts, err := d.Detect(s, len(s.Values)-1)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := pts[0]
	fmt.Println(p.Anomaly, p.Direction, p.Reason)
	// Output: true down 83% below the expected 596; lower bound 486
}
