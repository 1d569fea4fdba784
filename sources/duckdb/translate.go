package duckdb

import (
	"fmt"
	"strings"

	"vigil/sources"
)

// translate rewrites the ClickHouse spellings of common aggregates into
// DuckDB's; other expressions pass through as written.
//
//	count()       count(*)
//	uniq(x)       count(DISTINCT x)   (also uniqExact, uniqCombined)
//	countIf(c)    count(*) FILTER (WHERE c)
//	sumIf(x, c)   coalesce(sum(x) FILTER (WHERE c), 0)
//	uniqIf(x, c)  count(DISTINCT x) FILTER (WHERE c)
//	avgIf(x, c)   avg(x) FILTER (WHERE c)
//
// sumIf is 0 when no row matches, as in ClickHouse, where DuckDB's sum would
// be NULL.
func translate(expr string) (string, error) {
	return sources.RewriteCalls(expr, translateCall)
}

func translateCall(name string, args []string) (string, error) {
	a := make([]string, len(args))
	for i, s := range args {
		a[i] = strings.TrimSpace(s)
	}
	empty := len(a) == 1 && a[0] == ""
	switch strings.ToLower(name) {
	case "count":
		if empty {
			return "count(*)", nil
		}
	case "uniq", "uniqexact", "uniqcombined":
		if empty {
			return "", fmt.Errorf("needs an argument")
		}
		return "count(DISTINCT " + distinctArg(a) + ")", nil
	case "countif":
		if err := arity(a, 1, "the condition"); err != nil {
			return "", err
		}
		return "count(*) FILTER (WHERE " + a[0] + ")", nil
	case "sumif":
		if err := arity(a, 2, "the value and the condition"); err != nil {
			return "", err
		}
		return "coalesce(sum(" + a[0] + ") FILTER (WHERE " + a[1] + "), 0)", nil
	case "uniqif":
		if err := arity(a, 2, "the value and the condition"); err != nil {
			return "", err
		}
		return "count(DISTINCT " + a[0] + ") FILTER (WHERE " + a[1] + ")", nil
	case "avgif":
		if err := arity(a, 2, "the value and the condition"); err != nil {
			return "", err
		}
		return "avg(" + a[0] + ") FILTER (WHERE " + a[1] + ")", nil
	}
	return "", nil
}

// distinctArg is the argument of count(DISTINCT ...): several columns count
// distinct combinations, as uniq(a, b) does.
func distinctArg(a []string) string {
	if len(a) == 1 {
		return a[0]
	}
	return "(" + strings.Join(a, ", ") + ")"
}

func arity(a []string, n int, what string) error {
	if len(a) != n || (n > 0 && a[0] == "") {
		got := len(a)
		if len(a) == 1 && a[0] == "" {
			got = 0
		}
		return fmt.Errorf("takes %d argument(s), %s; got %d", n, what, got)
	}
	return nil
}
