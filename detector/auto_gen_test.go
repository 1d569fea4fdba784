package detector

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// autoGen describes a synthetic hourly series for the tests of STL,
// HoltWinters and Auto: level + slope·t, a daily and a weekly pattern
// (additive, or multiplicative when mult is set) and Gaussian noise.
type autoGen struct {
	n      int
	level  float64
	slope  float64 // per bucket
	daily  float64 // amplitude of the daily cycle (fraction of level when mult)
	weekly float64 // amplitude of the weekday/weekend pattern
	noise  float64 // standard deviation
	mult   bool
	step   time.Duration // default one hour
	seed   uint64
}

const autoHour = time.Hour

var autoStart = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC) // a Monday

func (g autoGen) series() Series {
	step := g.step
	if step == 0 {
		step = time.Hour
	}
	rng := rand.New(rand.NewPCG(g.seed, 7))
	perDay := float64(24*time.Hour) / float64(step)
	v := make([]float64, g.n)
	for i := range v {
		day := float64(i) / perDay
		d := math.Sin(2 * math.Pi * (day - math.Floor(day)))
		w := 0.0
		if wd := int(math.Floor(day)) % 7; wd >= 5 {
			w = -1
		}
		trend := g.level + g.slope*float64(i)
		if g.mult {
			v[i] = trend * (1 + g.daily*d + g.weekly*w)
		} else {
			v[i] = trend + g.daily*d + g.weekly*w
		}
		v[i] += g.noise * rng.NormFloat64()
	}
	return Series{Start: autoStart, Step: step, Values: v}
}

// autoCPU returns the process's user and system CPU time, so benchmarks can
// report throughput per CPU second as well as per wall second on a shared
// machine.
func autoCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// autoReport reports points per wall second and per CPU second.
func autoReport(b *testing.B, points int, cpu0 time.Duration, unit string) {
	b.ReportMetric(float64(points)/b.Elapsed().Seconds(), unit+"/s")
	if cpu := autoCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(points)/cpu.Seconds(), unit+"/cpu-s")
	}
}
