package ruletest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"vigil/detector/explain"
)

// SegmentSpec is one segment of a metric's series: the values of some of
// the rule's dimensions, and the segment's own series in compact notation.
// In YAML it is one flat mapping, {country: BR, platform: android, values:
// "50x200 5"}: the keys values and weights are the series, every other key
// is a dimension.
type SegmentSpec struct {
	Dims    []DimValue // as written
	Values  []float64  // a ratio's rate per bucket, like SeriesSpec.Values
	Weights []float64  // a ratio's denominator per bucket; nil is 1 each
	Line    int        // where the segment starts in the test file
	Column  int
}

// DimValue is the value of one dimension, where the test file gives it.
type DimValue struct {
	Name, Value  string
	Line, Column int
}

// ContributorSpec is the segment expected to contribute most to an alert's
// change: values of one, two or three dimensions, {country: BR, platform:
// android}.
type ContributorSpec struct {
	Dims   []DimValue
	Line   int
	Column int
}

// posError is a problem at a line and column of the test file; Parse puts
// the file's name in front.
type posError struct {
	line, column int
	msg          string
}

func (e *posError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.column, e.msg) }

// prefixed puts context in front of err's message, keeping its position.
func prefixed(context string, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return &posError{line: pe.line, column: pe.column, msg: context + pe.msg}
	}
	return fmt.Errorf("%s%w", context, err)
}

// located names the file in err: "file:line:col: ..." for an error with a
// position, "file: ..." otherwise.
func located(file string, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %s", file, pe.line, pe.column, pe.msg)
	}
	return fmt.Errorf("%s: %w", file, err)
}

func errAt(n *yaml.Node, format string, args ...any) error {
	return &posError{line: n.Line, column: n.Column, msg: fmt.Sprintf(format, args...)}
}

// UnmarshalYAML reads one entry of segments.
func (s *SegmentSpec) UnmarshalYAML(n *yaml.Node) error {
	const example = `{country: BR, platform: android, values: "50x200 5"}`
	if n.Kind != yaml.MappingNode {
		return errAt(n, "segments: each entry is a mapping of dimension values and values, e.g. %s", example)
	}
	*s = SegmentSpec{Line: n.Line, Column: n.Column}
	err := eachPair("segments", n, func(k, v *yaml.Node) error {
		switch k.Value {
		case "values":
			vals, err := notation(v, "values")
			s.Values = vals
			return err
		case "weights":
			vals, err := notation(v, "weights")
			s.Weights = vals
			return err
		case "points", "csv":
			return errAt(k, "segments: %s is not supported in a segment; give its values in compact notation", k.Value)
		}
		d, err := dimValue("segments", k, v)
		s.Dims = append(s.Dims, d)
		return err
	})
	switch {
	case err != nil:
		return err
	case len(s.Dims) == 0:
		return errAt(n, "segments: a segment without dimensions; name the values it holds, e.g. %s", example)
	case s.Values == nil:
		return errAt(n, "segments: a segment without values, e.g. %s", example)
	case s.Weights != nil && len(s.Weights) != len(s.Values):
		return errAt(n, "segments: %d weights for %d values", len(s.Weights), len(s.Values))
	}
	return nil
}

// UnmarshalYAML reads an alert's contributor.
func (c *ContributorSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return errAt(n, "contributor: want the values of the segment's dimensions, e.g. {country: BR, platform: android}")
	}
	*c = ContributorSpec{Line: n.Line, Column: n.Column}
	return eachPair("contributor", n, func(k, v *yaml.Node) error {
		d, err := dimValue("contributor", k, v)
		c.Dims = append(c.Dims, d)
		return err
	})
}

// eachPair calls f with each key and value of the mapping n; keys must be
// distinct scalars.
func eachPair(where string, n *yaml.Node, f func(k, v *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" || strings.TrimSpace(k.Value) == "" {
			return errAt(k, "%s: want a name as the key", where)
		}
		if seen[k.Value] {
			return errAt(k, "%s: %q given twice", where, k.Value)
		}
		seen[k.Value] = true
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// dimValue reads a dimension's value: a scalar, with null standing for
// NULL, which breakdowns report as the empty string.
func dimValue(where string, k, v *yaml.Node) (DimValue, error) {
	d := DimValue{Name: k.Value, Line: k.Line, Column: k.Column}
	switch {
	case v.Kind != yaml.ScalarNode:
		return d, errAt(v, "%s: dimension %q: want one value, such as BR", where, k.Value)
	case v.Tag == "!!null":
		return d, nil
	case v.Value == explain.Other:
		return d, errAt(v, "%s: dimension %q: %q is how breakdowns name values folded together; use another value", where, k.Value, v.Value)
	}
	d.Value = v.Value
	return d, nil
}

// notation parses a scalar in compact notation.
func notation(v *yaml.Node, key string) ([]float64, error) {
	if v.Kind != yaml.ScalarNode {
		return nil, errAt(v, "segments: %s: want a string in compact notation, e.g. \"100x5 40\"", key)
	}
	vals, err := ParseValues(v.Value)
	switch {
	case err != nil && key == "values":
		return nil, errAt(v, "segments: %v", err) // values "two": ...
	case err != nil:
		return nil, errAt(v, "segments: %s: %v", key, err)
	}
	if len(vals) == 0 {
		return nil, errAt(v, "segments: %s: no values", key)
	}
	return vals, nil
}

// dims returns the dimension values as a map.
func dims(ds []DimValue) map[string]string {
	out := make(map[string]string, len(ds))
	for _, d := range ds {
		out[d.Name] = d.Value
	}
	return out
}

// names returns the dimension names, in the order written.
func names(ds []DimValue) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// checkSegments checks the segments of one series together: the same
// dimensions and number of values in each, and no segment given twice.
func checkSegments(segs []SegmentSpec) error {
	seen := map[string]bool{}
	first := segs[0]
	for i, s := range segs {
		at := &yaml.Node{Line: s.Line, Column: s.Column}
		if !sameNames(names(s.Dims), names(first.Dims)) {
			return errAt(at, "segments[%d] gives dimensions %s, segments[0] %s: give every segment the same dimensions",
				i, strings.Join(names(s.Dims), ", "), strings.Join(names(first.Dims), ", "))
		}
		if len(s.Values) != len(first.Values) {
			return errAt(at, "segments[%d] has %d values, segments[0] %d: give every segment the same number (_ is a missing bucket)",
				i, len(s.Values), len(first.Values))
		}
		key := segmentKey(dims(s.Dims), names(first.Dims))
		if seen[key] {
			return errAt(at, "segments[%d]: %s is given twice", i, key)
		}
		seen[key] = true
	}
	return nil
}

// sameNames reports whether a and b hold the same names in any order.
func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[string]bool{}
	for _, x := range a {
		set[x] = true
	}
	for _, x := range b {
		if !set[x] {
			return false
		}
	}
	return true
}

// segmentKey writes a segment as "country=BR, platform=android", its
// dimensions in the order of order, then any others by name.
func segmentKey(seg map[string]string, order []string) string {
	parts := make([]string, 0, len(seg))
	for _, d := range order {
		if v, ok := seg[d]; ok {
			parts = append(parts, d+"="+v)
		}
	}
	var rest []string
	for d, v := range seg {
		if !slices.Contains(order, d) {
			rest = append(rest, d+"="+v)
		}
	}
	slices.Sort(rest)
	return strings.Join(append(parts, rest...), ", ")
}
