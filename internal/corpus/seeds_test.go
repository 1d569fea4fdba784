package corpus

import (
	"flag"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
)

var seedsFlag = flag.Int("corpus.seeds", 0, "also evaluate seeds 1 to N and log each method's means and the floor they give")

// seedSummary evaluates every method on seeds 1 to n and returns a table of
// their mean event precision, recall and F1, the standard deviation of F1
// (of the n values, divided by n), the seed-1 F1 and the floor the floors'
// comment prescribes: seed-1 F1 less twice that deviation, rounded down.
func seedSummary(t *testing.T, all map[string]Builder, n int) string {
	names := slices.Sorted(maps.Keys(all))
	f1 := map[string][]float64{}
	p, r := map[string]float64{}, map[string]float64{}
	for seed := 1; seed <= n; seed++ {
		cases := Generate(uint64(seed))
		for _, name := range names {
			res, err := evaluate(t, name, all[name], cases)
			if err != nil {
				t.Fatalf("seed %d, %s: %v", seed, name, err)
			}
			f1[name] = append(f1[name], res.m.F1)
			p[name] += res.m.Precision / float64(n)
			r[name] += res.m.Recall / float64(n)
		}
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "method\tP\tR\tF1\tsd\tseed 1\tfloor\t")
	for _, name := range names {
		var mean, sq float64
		for _, v := range f1[name] {
			mean += v / float64(n)
		}
		for _, v := range f1[name] {
			sq += (v - mean) * (v - mean) / float64(n)
		}
		sd := math.Sqrt(sq)
		floor := math.Floor((f1[name][0]-2*sd)*100) / 100
		fmt.Fprintf(w, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t\n", name, p[name], r[name], mean, sd, f1[name][0], floor)
	}
	w.Flush()
	return b.String()
}
