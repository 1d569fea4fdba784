package detector

import "sync"

// seasonalRuns keeps the state of finished Detect calls, whose buffers the
// next call reuses: judging the latest point of many series then allocates
// little more than the points it returns.
var seasonalRuns = sync.Pool{New: func() any { return new(seasonalRun) }}

// seasonalBufs are the buffers of a seasonalRun that outlive its call.
type seasonalBufs struct {
	st               []seasonalStat
	off              []int32 // zone offsets
	growth, pv, win  []float64
	neg, gKey        []int32
	gRest            []int64
	exp, fac         []float64
	dRes, dRel       []float64
	key              [len(seasonalPowers)][]int32
	abs              []float64
	bad              []int32
	group            []int8
	lx, lv           []int64
	pos              []bool
	hist, growthHist seasonalHist
	rel              [2]seasonalHist
	zone             seasonalZone
	res              seasonalResiduals
}

// seasonalBuf returns *buf resized to n, reallocated only when too small.
// The contents are not cleared: the caller writes every element it reads.
func seasonalBuf[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n, n+n/8)
	}
	*buf = (*buf)[:n]
	return *buf
}

// release returns r to seasonalRuns, dropping its references to the
// caller's data.
func (r *seasonalRun) release() {
	r.vals, r.zone, r.res = nil, nil, nil
	seasonalRuns.Put(r)
}
