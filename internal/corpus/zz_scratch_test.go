package corpus

import (
	"flag"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/detector"
	"vigil/internal/backtest"
)

var scratchFlag = flag.String("scratch", "", "comma-separated methods for TestScratchSeeds")

func TestScratchSeeds(t *testing.T) {
	if *scratchFlag == "" {
		t.Skip()
	}
	all := maps.Clone(methods)
	maps.Copy(all, otherMethods)
	maps.Copy(all, scratchMethods)
	names := strings.Split(*scratchFlag, ",")
	if *scratchFlag == "all" {
		names = slices.Sorted(maps.Keys(all))
	}
	type agg struct{ p, r, f, f1 []float64 }
	res := map[string]*agg{}
	var cases [][]Case
	for seed := uint64(1); seed <= 10; seed++ {
		cases = append(cases, Generate(seed))
	}
	for _, n := range names {
		a := &agg{}
		start := time.Now()
		for si, cs := range cases {
			r, err := evaluate(t, n, all[n], cs)
			if err != nil {
				t.Fatal(err)
			}
			a.p = append(a.p, r.m.Precision)
			a.r = append(a.r, r.m.Recall)
			a.f = append(a.f, r.m.F1)
			if si == 0 {
				a.f1 = append(a.f1, r.m.F1)
				t.Logf("%s seed1: %s", n, strings.TrimSpace(strings.SplitN(table([]result{r}), "\n", 2)[1]))
			}
		}
		res[n] = a
		t.Logf("%-22s P %.3f R %.3f F1 %.4f (sd %.4f) seed1 %.4f floor %.4f  [%v]", n, mean(a.p), mean(a.r), mean(a.f), sd(a.f), a.f1[0], a.f1[0]-2*sd(a.f), time.Since(start).Round(time.Millisecond))
	}
	_ = fmt.Sprint
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func sd(x []float64) float64 {
	m := mean(x)
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)))
}

var scratchMethods = map[string]Builder{
	"s-none":  func() detector.Detector { return detector.Seasonal{Period: 168 * time.Hour, Seasons: 8, Level: detector.LevelNone} },
	"s-scale": func() detector.Detector { return detector.Seasonal{Period: 168 * time.Hour, Seasons: 8, Level: detector.LevelScale} },
	"s-4":     func() detector.Detector { return detector.Seasonal{Period: 168 * time.Hour, Seasons: 4} },
	"s-12":     func() detector.Detector { return detector.Seasonal{Period: 168 * time.Hour, Seasons: 12} },
	"s-high":  func() detector.Detector { return detector.Seasonal{Period: 168 * time.Hour, Seasons: 8, Guards: detector.Guards{Threshold: 3}} },
	"s-daily3":  func() detector.Detector { return detector.Seasonal{Period: 168 * time.Hour, Seasons: 8, Daily: 3} },
}

func TestScratchFP(t *testing.T) {
	if *scratchFlag == "" {
		t.Skip()
	}
	all := maps.Clone(methods)
	maps.Copy(all, otherMethods)
	maps.Copy(all, scratchMethods)
	for _, n := range strings.Split(*scratchFlag, ",") {
		fpDF, fpScale, weeksDF := map[int]int{}, map[string]int{}, map[int]float64{}
		fnKind := map[string]int{}
		for seed := uint64(1); seed <= 10; seed++ {
			for _, c := range Generate(seed) {
				rows, err := backtestRun(all[n](), c)
				if err != nil {
					t.Fatal(err)
				}
				m := rows
				fpDF[c.Profile.DF] += m.FP
				fpScale[c.Profile.Scale] += m.FP
				weeksDF[c.Profile.DF] += float64(len(c.Series.Values)-Warmup) / 168
				_ = fnKind
			}
		}
		var b strings.Builder
		for _, df := range []int{0, 30, 10, 6, 4} {
			fmt.Fprintf(&b, " df%d %.2f/wk", df, float64(fpDF[df])/weeksDF[df])
		}
		for _, s := range []string{"tens", "thousands", "millions", "ratio"} {
			fmt.Fprintf(&b, " %s %d", s, fpScale[s])
		}
		t.Logf("%-20s FP per series-week by df:%s", n, b.String())
	}
}

func backtestRun(d detector.Detector, c Case) (backtest.Metrics, error) {
	rows, err := backtest.RunFrom(d, backtest.FromSeries(c.Series), Warmup)
	if err != nil {
		return backtest.Metrics{}, err
	}
	m := backtest.MatchRows(rows, c.Labels, backtest.ScoreOptions{From: c.Series.Time(Warmup), Tolerance: tolerance})
	return m.Metrics, nil
}

func TestScratchCalib(t *testing.T) {
	if *scratchFlag == "" {
		t.Skip()
	}
	all := maps.Clone(methods)
	maps.Copy(all, otherMethods)
	maps.Copy(all, scratchMethods)
	for _, n := range strings.Split(*scratchFlag, ",") {
		type acc struct {
			z    []float64
			over int
		}
		by := map[string]*acc{}
		for seed := uint64(1); seed <= 3; seed++ {
			for _, c := range Generate(seed) {
				pts, err := all[n]().Detect(c.Series, Warmup)
				if err != nil {
					t.Fatal(err)
				}
				inEvent := func(i int) bool {
					for _, e := range c.Events {
						if i >= e.Start-2 && i <= e.End+170 {
							return true
						}
					}
					return false
				}
				key := fmt.Sprintf("%s df%d", c.Profile.Scale, c.Profile.DF)
				if by[key] == nil {
					by[key] = &acc{}
				}
				a := by[key]
				for _, p := range pts {
					if !p.Judged() || math.IsNaN(p.Value) || inEvent(p.Index) {
						continue
					}
					a.z = append(a.z, math.Abs(p.Z))
					if p.Anomaly {
						a.over++
					}
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(by)) {
			a := by[k]
			slices.Sort(a.z)
			t.Logf("%-16s %-16s n %6d med|z| %.3f q99 %.2f alarms/wk %.3f", n, k, len(a.z), a.z[len(a.z)/2], a.z[len(a.z)*99/100], float64(a.over)/float64(len(a.z))*168)
		}
	}
}

func TestScratchWhere(t *testing.T) {
	if *scratchFlag == "" {
		t.Skip()
	}
	all := maps.Clone(methods)
	maps.Copy(all, otherMethods)
	maps.Copy(all, scratchMethods)
	n := *scratchFlag
	for seed := uint64(1); seed <= 3; seed++ {
		for _, c := range Generate(seed) {
			if c.Profile.DF != 0 && c.Profile.DF != 30 {
				continue
			}
			d := all[n]()
			pts, _ := d.Detect(c.Series, Warmup)
			rows, _ := backtest.RunFrom(d, backtest.FromSeries(c.Series), Warmup)
			m := backtest.MatchRows(rows, c.Labels, backtest.ScoreOptions{From: c.Series.Time(Warmup), Tolerance: tolerance})
			for _, fa := range m.FalseAlarms {
				i := int(fa.Start.Sub(c.Series.Start) / time.Hour)
				rel := ""
				for _, e := range c.Events {
					rel += fmt.Sprintf(" %s[%d..%d]%+.0f", e.Kind, e.Start-i, e.End-i, e.Size)
				}
				p := pts[i-Warmup]
				t.Logf("seed %d %-34s FP at %d (%s) z %.1f v %.0f exp %.0f |%s", seed, c.Name, i, fa.End.Sub(fa.Start), p.Z, p.Value, p.Expected, rel)
			}
		}
	}
}

func TestScratchDump(t *testing.T) {
	cs := Generate(1)
	for _, c := range cs {
		if c.Name != "44-tens-down-none" {
			continue
		}
		pts, _ := otherMethods["seasonal"]().Detect(c.Series, Warmup)
		for i := 770; i < 820; i++ {
			p := pts[i-Warmup]
			t.Logf("%d %s v %.0f exp %.1f lo %.1f hi %.1f z %.2f  past %v", i, c.Series.Time(i).Format("Mon 15h"), p.Value, p.Expected, p.Lower, p.Upper, p.Z, []float64{c.Series.Values[i-168], c.Series.Values[i-336], c.Series.Values[i-504], c.Series.Values[i-672]})
		}
	}
}
