package ruletest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseValues expands the compact series notation of rule tests, after
// Prometheus' promtool. Values are separated by spaces; each term is one of:
//
//	100        one value
//	_          one missing value (no rows for the bucket)
//	100x3      100 and 3 more of it: 100 100 100 100 (4 values)
//	100+10x3   100 and 3 more, each 10 higher: 100 110 120 130
//	100-10x3   the same, each 10 lower: 100 90 80 70
//	_x3        3 missing values
//
// As in promtool, "a+bxn" yields n+1 values and "_xn" yields n. Missing
// values are NaN.
func ParseValues(s string) ([]float64, error) {
	var out []float64
	for _, term := range strings.Fields(s) {
		vals, err := parseTerm(term)
		if err != nil {
			return nil, fmt.Errorf("values %q: %w", term, err)
		}
		out = append(out, vals...)
	}
	return out, nil
}

// maxRepeat bounds one term, so that a typo cannot ask for a billion values.
const maxRepeat = 1_000_000

func parseTerm(term string) ([]float64, error) {
	head, count, repeated := strings.Cut(term, "x")
	n := 0
	if repeated {
		var err error
		n, err = strconv.Atoi(count)
		if err != nil || n < 0 || n > maxRepeat {
			return nil, fmt.Errorf("want a whole number of repeats from 0 to %d after x, got %q", maxRepeat, count)
		}
	}
	if head == "_" {
		if !repeated {
			n = 1
		}
		return repeat(math.NaN(), 0, n), nil
	}
	start, step, err := splitStep(head)
	if err != nil {
		return nil, err
	}
	if !repeated && step != 0 {
		return nil, fmt.Errorf("a step needs a count: write %sx<n>", head)
	}
	vals := repeat(start, step, n+1)
	if last := vals[len(vals)-1]; math.IsInf(last, 0) {
		return nil, fmt.Errorf("the values overflow")
	}
	return vals, nil
}

// splitStep reads "a", "a+b" or "a-b".
func splitStep(s string) (start, step float64, err error) {
	op := -1
	for i := 1; i < len(s); i++ {
		if (s[i] == '+' || s[i] == '-') && s[i-1] != 'e' && s[i-1] != 'E' {
			op = i
			break
		}
	}
	text, stepText := s, ""
	if op > 0 {
		text, stepText = s[:op], s[op+1:]
	}
	if start, err = number(text); err != nil {
		return 0, 0, err
	}
	if op > 0 {
		if step, err = number(stepText); err != nil {
			return 0, 0, err
		}
		if s[op] == '-' {
			step = -step
		}
	}
	return start, step, nil
}

func number(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("want a finite number, _ for a missing value, or a+bxn, got %q", s)
	}
	return f, nil
}

func repeat(start, step float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = start + float64(i)*step
	}
	return out
}
