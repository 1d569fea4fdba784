package sources

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Placeholders of raw SQL. {{from}} and {{to}} stand for the window's bounds
// as timestamps of the dialect; {{bucket_seconds}} is the granularity in
// seconds as an integer literal. Spaces inside the braces are allowed.
const (
	PlaceholderFrom          = "from"
	PlaceholderTo            = "to"
	PlaceholderBucketSeconds = "bucket_seconds"
)

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)?\s*\}\}`)

// checkPlaceholders reports unknown placeholders, and bounds that are missing:
// raw SQL must limit itself to the window.
func checkPlaceholders(sql string) []error {
	var errs []error
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(sql, -1) {
		switch m[1] {
		case PlaceholderFrom, PlaceholderTo, PlaceholderBucketSeconds:
			seen[m[1]] = true
		default:
			errs = append(errs, fmt.Errorf("sql: unknown placeholder %s (known: {{from}}, {{to}}, {{bucket_seconds}})", m[0]))
		}
	}
	for _, name := range []string{PlaceholderFrom, PlaceholderTo} {
		if !seen[name] {
			errs = append(errs, fmt.Errorf("sql: use {{%s}} to limit the query to the window", name))
		}
	}
	return errs
}

// ExpandSQL replaces the placeholders of q.SQL. Each {{from}} and {{to}} is
// replaced by bound(t): a dialect returns its parameter marker (and records
// t as an argument) to run the query, or a timestamp literal to show it.
// Bounds are passed in UTC, in order of appearance.
func ExpandSQL(q Query, bound func(t time.Time) string) (string, error) {
	if errs := checkPlaceholders(q.SQL); len(errs) > 0 {
		return "", fmt.Errorf("rule %q: %w", q.Rule, errs[0])
	}
	secs := strconv.FormatInt(int64(q.Granularity/time.Second), 10)
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(q.SQL, -1) {
		b.WriteString(q.SQL[last:m[0]])
		switch q.SQL[m[2]:m[3]] {
		case PlaceholderFrom:
			b.WriteString(bound(q.From.UTC()))
		case PlaceholderTo:
			b.WriteString(bound(q.To.UTC()))
		case PlaceholderBucketSeconds:
			b.WriteString(secs)
		}
		last = m[1]
	}
	b.WriteString(q.SQL[last:])
	return b.String(), nil
}
