package detector

// autoMovingAverage returns the centred moving average of v over width
// buckets (a 2×width average for even widths, so that it is centred), for
// the positions where the whole window lies inside v; off is the index in v
// of its first value.
func autoMovingAverage(v []float64, width int) (ma []float64, off int) {
	half := width / 2
	if len(v) <= 2*half {
		return nil, 0
	}
	ma = make([]float64, 0, len(v)-2*half)
	var sum float64
	if width%2 == 1 {
		for i := range width {
			sum += v[i]
		}
		for i := half; i+half < len(v); i++ {
			if i > half {
				sum += v[i+half] - v[i-half-1]
			}
			ma = append(ma, sum/float64(width))
		}
		return ma, half
	}
	// Even width: weights ½ at both ends, 1 inside, total width.
	for i := 0; i <= 2*half; i++ {
		sum += v[i]
	}
	for i := half; i+half < len(v); i++ {
		if i > half {
			sum += v[i+half] - v[i-half-1]
		}
		ma = append(ma, (sum-(v[i-half]+v[i+half])/2)/float64(width))
	}
	return ma, half
}

// autoDetrend returns v minus its centred moving average over width
// buckets, which removes the trend and any season of that period.
func autoDetrend(v []float64, width int) []float64 {
	ma, off := autoMovingAverage(v, width)
	r := make([]float64, len(ma))
	for i, m := range ma {
		r[i] = v[i+off] - m
	}
	return r
}

// autoACF returns the sample autocorrelation of r at lag k.
func autoACF(r []float64, k int) float64 {
	n := len(r)
	if k >= n || n < 2 {
		return 0
	}
	var mean float64
	for _, x := range r {
		mean += x
	}
	mean /= float64(n)
	var num, den float64
	for i, x := range r {
		d := x - mean
		den += d * d
		if i+k < n {
			num += d * (r[i+k] - mean)
		}
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// autoTrendStrength returns max(0, 1 − Var(R)/Var(T+R)) for the classical
// decomposition of v into a moving-average trend T over width buckets, a
// seasonal mean per slot of period (none when period < 2) and remainder R.
func autoTrendStrength(v []float64, width, period int) float64 {
	if width < 2 {
		return 0
	}
	ma, off := autoMovingAverage(v, width)
	if len(ma) < 2 {
		return 0
	}
	detr := make([]float64, len(ma))
	for i, m := range ma {
		detr[i] = v[i+off] - m
	}
	if period >= 2 {
		sums, counts := make([]float64, period), make([]float64, period)
		for i, d := range detr {
			sums[(i+off)%period] += d
			counts[(i+off)%period]++
		}
		for i := range detr {
			slot := (i + off) % period
			detr[i] -= sums[slot] / counts[slot]
		}
	}
	// detr is now the remainder R; T+R is ma+R.
	tr := make([]float64, len(ma))
	for i := range ma {
		tr[i] = ma[i] + detr[i]
	}
	vr, vtr := autoVariance(detr), autoVariance(tr)
	if vtr == 0 {
		return 0
	}
	return max(0, 1-vr/vtr)
}

func autoVariance(x []float64) float64 {
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - mean) * (v - mean)
	}
	return s / float64(len(x))
}
