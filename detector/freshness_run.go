package detector

import (
	"math"
	"slices"
)

// freshnessRun holds what Freshness.Detect carries from point to point:
// the stretches of empty buckets being followed and the sorted window.
type freshnessRun struct {
	f Freshness
	s Series
	w int
	// blank and gap are the first buckets of the stretch of NaN-or-zero
	// buckets and of NaN buckets that end at the current bucket, or -1;
	// blankNaN counts the NaN buckets in the blank stretch.
	blank, gap, blankNaN int
	win                  freshnessWindow
	// whether zeros count as empty before the stretch starting at zerosAt
	zerosAt    int
	zerosEmpty bool
	// typical value before the outage starting at outageAt
	outageAt  int
	outageVal float64
}

func newFreshnessRun(f Freshness, s Series, from int) *freshnessRun {
	r := &freshnessRun{f: f, s: s, w: f.window(), blank: -1, gap: -1, zerosAt: -1, outageAt: -1}
	// Find the stretches that end just before from, so that the first
	// judged point continues them.
	for c := from - 1; c >= 0 && freshnessBlank(s.Values[c]); c-- {
		r.blank = c
		if math.IsNaN(s.Values[c]) {
			r.blankNaN++
		}
	}
	for c := from - 1; c >= 0 && math.IsNaN(s.Values[c]); c-- {
		r.gap = c
	}
	r.win.reset(s.Values[max(0, from-r.w):from])
	return r
}

func freshnessBlank(v float64) bool { return math.IsNaN(v) || v == 0 }

// next moves to bucket i (called for consecutive i) and returns the first
// bucket of the outage that bucket i ends, or -1 when bucket i holds data.
func (r *freshnessRun) next(i int) (start int) {
	v := r.s.Values[i]
	if r.blank = freshnessExtend(r.blank, i, freshnessBlank(v)); r.blank < 0 {
		r.blankNaN = 0
	} else if math.IsNaN(v) {
		r.blankNaN++
	}
	r.gap = freshnessExtend(r.gap, i, math.IsNaN(v))
	switch {
	case r.blank >= 0 && r.zerosCountAsEmpty(r.blank):
		start = r.blank
	case math.IsNaN(v):
		start = r.gap
	default:
		start = -1
	}
	return start
}

// missing is how many buckets of the outage starting at start and ending at
// the current bucket i hold NaN rather than zero.
func (r *freshnessRun) missing(start, i int) int {
	if start == r.gap {
		return i - start + 1
	}
	return r.blankNaN
}

// slide moves the window past bucket i.
func (r *freshnessRun) slide(i int) {
	if j := i - r.w; j >= 0 {
		r.win.remove(r.s.Values[j])
	}
	r.win.add(r.s.Values[i])
}

func freshnessExtend(first, i int, in bool) int {
	switch {
	case !in:
		return -1
	case first < 0:
		return i
	}
	return first
}

// zerosCountAsEmpty reports whether zeros count as missing data for an
// outage that starts at bucket c: the window before it is at least half
// present and zeros are rare in it.
func (r *freshnessRun) zerosCountAsEmpty(c int) bool {
	if r.f.KeepZeros {
		return false
	}
	if c != r.zerosAt {
		present, zeros := 0, 0
		for _, v := range r.s.Values[max(0, c-r.w):c] {
			if !math.IsNaN(v) {
				present++
			}
			if v == 0 {
				zeros++
			}
		}
		r.zerosAt = c
		r.zerosEmpty = 2*present >= r.w && float64(zeros) <= r.f.zeroShare()*float64(present)
	}
	return r.zerosEmpty
}

// typicalBefore returns the median of the present values in the window
// before bucket end, NaN when there are none. It remembers the last answer,
// as every bucket of an outage asks for the same end.
func (r *freshnessRun) typicalBefore(end int) float64 {
	if end != r.outageAt {
		r.outageAt, r.outageVal = end, freshnessTypical(r.s.Values[max(0, end-r.w):end])
	}
	return r.outageVal
}

// volume is the typical volume before bucket end, for the minimum-volume
// guard: the typical weight of a ratio, else the typical value.
func (r *freshnessRun) volume(end int) float64 {
	if r.s.Weight == nil {
		return r.typicalBefore(end)
	}
	return freshnessTypical(r.s.Weight[max(0, end-r.w):end])
}

// freshnessTypical returns the median of the non-NaN values of x.
func freshnessTypical(x []float64) float64 {
	var w freshnessWindow
	w.reset(x)
	return w.median()
}

// freshnessWindow is a sorted multiset of the non-NaN values in a sliding
// window: O(log n) search and one memmove per update, cheaper than sorting
// the window for every point.
type freshnessWindow struct{ sorted []float64 }

func (w *freshnessWindow) reset(x []float64) {
	w.sorted = w.sorted[:0]
	for _, v := range x {
		if !math.IsNaN(v) {
			w.sorted = append(w.sorted, v)
		}
	}
	slices.Sort(w.sorted)
}

func (w *freshnessWindow) add(v float64) {
	if math.IsNaN(v) {
		return
	}
	i, _ := slices.BinarySearch(w.sorted, v)
	w.sorted = slices.Insert(w.sorted, i, v)
}

func (w *freshnessWindow) remove(v float64) {
	if math.IsNaN(v) {
		return
	}
	if i, ok := slices.BinarySearch(w.sorted, v); ok {
		w.sorted = slices.Delete(w.sorted, i, i+1)
	}
}

func (w *freshnessWindow) median() float64 {
	x := w.sorted
	n := len(x)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return x[n/2]
	}
	return x[n/2-1]/2 + x[n/2]/2
}
