package ruletest

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"vigil/config"
)

// segmentDimensions checks the dimensions the segments of spec give
// against the rule's, and returns the rule's dimensions the test breaks the
// metric down by: those the segments give, in the rule's order, or none
// when the series has no segments. A dimension the test says nothing about
// cannot be broken down by.
func segmentDimensions(m config.Metric, spec SeriesSpec) ([]string, error) {
	if len(spec.Segments) == 0 {
		return nil, nil
	}
	for i, seg := range spec.Segments {
		for _, d := range seg.Dims {
			if !slices.Contains(m.Dimensions, d.Name) {
				return nil, errAt(&yaml.Node{Line: d.Line, Column: d.Column}, "segments[%d]: %s", i, unknownDim(m, d.Name))
			}
		}
	}
	given := names(spec.Segments[0].Dims)
	var out []string
	for _, d := range m.Dimensions {
		if slices.Contains(given, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// unknownDim says that d is not one of m's dimensions.
func unknownDim(m config.Metric, d string) string {
	if len(m.Dimensions) == 0 {
		return fmt.Sprintf("%q is not a dimension of metric %q, which lists none; list them under dimensions: in its rule", d, m.Name)
	}
	return fmt.Sprintf("%q is not a dimension of metric %q (its dimensions: %s)", d, m.Name, strings.Join(m.Dimensions, ", "))
}

// checkContributors checks each expected contributor against the
// dimensions its metric is broken down by in the test (order, by metric).
func checkContributors(c Case, order map[string][]string) error {
	for _, ev := range c.Evals {
		for _, a := range ev.Alerts {
			if a.Contributor == nil {
				continue
			}
			if err := checkContributor(a.Metric, *a.Contributor, order[a.Metric]); err != nil {
				return prefixed(fmt.Sprintf("eval at %s: ", ev.At), err)
			}
		}
	}
	return nil
}

func checkContributor(metric string, cs ContributorSpec, dims []string) error {
	if len(dims) == 0 {
		return errAt(&yaml.Node{Line: cs.Line, Column: cs.Column},
			"contributor: the test gives no segments for %q, so its alerts are not broken down; give its series as segments", metric)
	}
	for _, d := range cs.Dims {
		if !slices.Contains(dims, d.Name) {
			return errAt(&yaml.Node{Line: d.Line, Column: d.Column},
				"contributor: %q is not a dimension the segments of %q give (they give %s)", d.Name, metric, strings.Join(dims, ", "))
		}
	}
	return nil
}
