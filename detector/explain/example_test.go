package explain_test

import (
	"context"
	"fmt"
	"time"

	"vigil/detector/explain"
)

// A Fetcher answers each group of a Request with one cell per value. Here
// orders by country: Brazil fell from about 1,370 an hour to 410. The
// detector expected 4,400 where the baseline buckets average 4,200, so every
// country's baseline is scaled up by 4,400/4,200.
func ExampleExplain() {
	orders := map[string][2]float64{ // country → current, baseline mean
		"US": {1500, 1510}, "BR": {410, 1370}, "DE": {900, 905}, "FR": {400, 415},
	}
	f := explain.FetcherFunc(func(_ context.Context, req explain.Request) ([]explain.Cell, error) {
		var cells []explain.Cell
		for g, dims := range req.Groups {
			if len(dims) != 1 || dims[0] != "country" {
				return nil, fmt.Errorf("no dimension %v", dims)
			}
			for country, v := range orders {
				cells = append(cells, explain.Cell{Group: g, Values: []string{country}, Current: v[0], Baseline: v[1]})
			}
		}
		return cells, nil
	})
	at := time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)
	e, err := explain.Explain(context.Background(), f, explain.Input{
		Metric: "orders", At: at, Step: time.Hour,
		Actual: 3210, Expected: 4400, Scale: 60, // from the detector
		Dimensions: []string{"country"},
		Baseline:   explain.Seasons(at, time.Hour, 7*24*time.Hour, 8, nil),
	}, explain.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Sentence)
	fmt.Print(e.Table(3))
	// Output:
	// Orders were 3,210 at 14:00 UTC, 27% below the expected 4,400 (−1,190). country=BR accounts for 86% of the drop (410 vs 1,435 expected).
	// segment     actual  expected  change  share
	// country=BR     410     1,435  −1,025    86%
	// country=US   1,500     1,582   −81.9   6.9%
	// country=DE     900       948   −48.1     4%
}
