package ruletest

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteText writes one line per case for CI logs, "PASS file: name (3
// evals)" or "FAIL file: name" followed by the differences, indented, and
// a last line counting both.
func WriteText(w io.Writer, results []Result) error {
	var b strings.Builder
	passed := 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			fmt.Fprintf(&b, "FAIL %s: %s: %v\n", r.File, r.Name, r.Err)
		case len(r.Diff) > 0:
			fmt.Fprintf(&b, "FAIL %s: %s\n", r.File, r.Name)
			for _, l := range r.Diff {
				fmt.Fprintf(&b, "    %s\n", l)
			}
		default:
			passed++
			fmt.Fprintf(&b, "PASS %s: %s (%d %s)\n", r.File, r.Name, r.Evals, plural(r.Evals, "eval", "evals"))
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", passed, len(results)-passed)
	_, err := io.WriteString(w, b.String())
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes results as JUnit XML, one test suite per file, which
// CI systems show as test reports.
func WriteJUnit(w io.Writer, results []Result) error {
	doc := junitSuites{}
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.File]
		if !ok {
			i = len(doc.Suites)
			index[r.File] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: r.File})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: r.Name, Classname: r.File}
		switch {
		case r.Err != nil:
			c.Error = &junitProblem{Message: "could not run", Text: r.Err.Error()}
			s.Errors++
		case len(r.Diff) > 0:
			c.Failure = &junitProblem{Message: "alerts differ", Text: strings.Join(r.Diff, "\n")}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
