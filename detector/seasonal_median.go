package detector

import (
	"math"
	"sync"
)

// seasonalMedian8 is the median of eight values, the default Seasons with
// none missing, which hold no NaN: the compare-exchanges of
// seasonalNets()[8] that lead to the two middle outputs, on local variables
// that the compiler keeps in registers where the general network goes
// through memory. They compare the values' seasonalOrder keys as integers:
// Go's min and max of float64 take four to six instructions each to get NaN
// and the sign of zero right, an integer one a compare and a conditional
// move. The keys order non-NaN values as min and max do, -0 before +0, so
// the result has the same bits.
func seasonalMedian8(x *[8]float64) float64 {
	return seasonalMedianOf8(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
}

// seasonalMedianOf8 is seasonalMedian8 of its arguments, which the caller
// may keep in registers.
func seasonalMedianOf8(x0, x1, x2, x3, x4, x5, x6, x7 float64) float64 {
	a0, a1, a2, a3 := seasonalOrder(x0), seasonalOrder(x1), seasonalOrder(x2), seasonalOrder(x3)
	a4, a5, a6, a7 := seasonalOrder(x4), seasonalOrder(x5), seasonalOrder(x6), seasonalOrder(x7)
	a0, a1 = min(a0, a1), max(a0, a1)
	a2, a3 = min(a2, a3), max(a2, a3)
	a4, a5 = min(a4, a5), max(a4, a5)
	a6, a7 = min(a6, a7), max(a6, a7)
	a0, a2 = min(a0, a2), max(a0, a2)
	a1, a3 = min(a1, a3), max(a1, a3)
	a4, a6 = min(a4, a6), max(a4, a6)
	a5, a7 = min(a5, a7), max(a5, a7)
	a1, a2 = min(a1, a2), max(a1, a2)
	a5, a6 = min(a5, a6), max(a5, a6)
	a4 = max(a0, a4)
	a5 = max(a1, a5)
	a2 = min(a2, a6)
	a3 = min(a3, a7)
	a4 = max(a2, a4)
	a3 = min(a3, a5)
	return seasonalMid(seasonalUnorder(min(a3, a4)), seasonalUnorder(max(a3, a4)))
}

// seasonalOrder maps a float64 that is not NaN to an int64 that sorts as
// the float does, with -0 below +0 as Go's min and max take them: a
// negative value's bits other than the sign are flipped, so that a larger
// magnitude sorts lower. seasonalUnorder is its inverse.
func seasonalOrder(v float64) int64 {
	b := int64(math.Float64bits(v))
	return b ^ int64(uint64(b>>63)>>1)
}

func seasonalUnorder(k int64) float64 {
	return math.Float64frombits(uint64(k ^ int64(uint64(k>>63)>>1)))
}

// seasonalNets returns, for n inputs, Batcher's odd-even merge sorting
// network as compare-exchange pairs (Knuth, TAOCP vol. 3, 5.3.4); the pairs
// that involve inputs beyond n are dropped, which is exact when those inputs
// are +Inf.
var seasonalNets = sync.OnceValue(func() [][][2]uint8 {
	nets := make([][][2]uint8, seasonalMaxSeasons+1)
	for n := range nets {
		for p := 1; p < n; p *= 2 {
			for k := p; k > 0; k /= 2 {
				for j := k % p; j+k < n; j += 2 * k {
					for i := 0; i < k && i+j+k < n; i++ {
						if (i+j)/(2*p) == (i+j+k)/(2*p) {
							nets[n] = append(nets[n], [2]uint8{uint8(i + j), uint8(i + j + k)})
						}
					}
				}
			}
		}
	}
	return nets
})

// seasonalMedianNet returns the median of x[:k], which hold no NaN, using
// network net for len(x) on their seasonalOrder keys in o (of len(x)), with
// the other len(x)-k inputs taken as +Inf.
func seasonalMedianNet(x []float64, k int, o []int64, net [][2]uint8) float64 {
	for i, v := range x[:k] {
		o[i] = seasonalOrder(v)
	}
	inf := seasonalOrder(math.Inf(1))
	for i := k; i < len(o); i++ {
		o[i] = inf
	}
	seasonalSortKeys(o, net)
	return seasonalMid(seasonalUnorder(o[(k-1)/2]), seasonalUnorder(o[k/2]))
}

// seasonalSortKeys sorts o with network net for len(o): on the keys of
// seasonalOrder, as the network's min and max would sort the floats.
func seasonalSortKeys(o []int64, net [][2]uint8) {
	for _, c := range net {
		a, b := o[c[0]], o[c[1]]
		o[c[0]], o[c[1]] = min(a, b), max(a, b)
	}
}

// seasonalMid is the midpoint of a <= b without overflow near ±MaxFloat64.
func seasonalMid(a, b float64) float64 {
	if a == b {
		return a
	}
	return a/2 + b/2
}
