package sources

import (
	"regexp"
	"strings"
)

// RuleComment returns the first line of a rule's query, "-- vigil rule: NAME",
// so that the query can be found in a warehouse's query log. Line breaks and
// other control characters in the name become spaces.
func RuleComment(rule string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, rule)
	return "-- vigil rule: " + clean + "\n"
}

var simpleRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*|"[^"]+"|` + "`[^`]+`" + `)(\.([A-Za-z_][A-Za-z0-9_]*|"[^"]+"|` + "`[^`]+`" + `))*$`)

// Paren wraps an expression from a rule in parentheses unless it is a plain,
// possibly qualified, column name, so that it binds as one operand wherever
// it is placed.
func Paren(expr string) string {
	expr = strings.TrimSpace(expr)
	if simpleRE.MatchString(expr) {
		return expr
	}
	return "(" + expr + ")"
}
