package detector

import (
	"math"
	"testing"
	"time"
)

// FuzzCompleteness judges arrivals made from fuzzed bytes: Judge must not
// panic, and its verdicts must hang together.
func FuzzCompleteness(f *testing.F) {
	f.Add([]byte{3, 40, 60, 90, 97, 100, 0, 30, 55}, uint8(30), uint8(2))
	f.Add([]byte{1, 0, 0, 0, 255, 7, 9, 200}, uint8(12), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, n, wait uint8) {
		if len(data) == 0 {
			return
		}
		buckets := 12 + int(n)%60
		probes := 1 + int(data[0])%6
		s := Series{Start: completeT0, Step: time.Hour, Values: make([]float64, buckets)}
		now := s.Time(buckets).Add(time.Duration(data[len(data)-1]%60) * time.Minute)
		a := Arrivals{Now: now, Newest: now.Add(-time.Duration(data[0]) * time.Minute)}
		for k := range probes {
			a.Probes = append(a.Probes, time.Duration(k+1)*time.Hour+time.Duration(data[k%len(data)]%59)*time.Minute)
		}
		at := 0
		next := func() float64 { at++; return float64(data[at%len(data)]) }
		for i := range buckets {
			row := make([]float64, probes)
			run := 0.0
			for k := range row {
				run += next()
				row[k] = run
				if s.Time(i).Add(a.Probes[k]).After(now) {
					row[k] = math.NaN()
				}
			}
			a.Arrived = append(a.Arrived, row)
			a.Final = append(a.Final, run+next())
		}
		c := Completeness{Min: 0.5 + float64(data[0]%50)/100, MaxWait: time.Duration(1+int(wait)%8) * time.Hour}
		from := max(0, buckets-probes)
		out, err := c.Judge(s, a, from)
		if err != nil {
			return
		}
		if len(out) != buckets-from {
			t.Fatalf("Judge = %d verdicts, want %d", len(out), buckets-from)
		}
		for _, v := range out {
			switch {
			case math.IsNaN(v.Share) || v.Share < 0 || v.Share > 1:
				t.Fatalf("bucket %d: share %v", v.Index, v.Share)
			case v.Readiness == Complete && v.Reason != "":
				t.Fatalf("bucket %d: complete with reason %q", v.Index, v.Reason)
			case v.Readiness != Complete && v.Reason == "":
				t.Fatalf("bucket %d: %v without a reason", v.Index, v.Readiness)
			case v.Readiness == Late && v.Age < c.MaxWait:
				t.Fatalf("bucket %d: late at age %v, before %v", v.Index, v.Age, c.MaxWait)
			case math.IsNaN(v.Expected) != (v.Share == 0):
				t.Fatalf("bucket %d: expected %v with share %v", v.Index, v.Expected, v.Share)
			}
		}
	})
}
