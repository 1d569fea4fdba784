package sources

import (
	"errors"
	"fmt"
	"strings"
)

// CallFunc rewrites one function call found in an expression: name as
// written, and its arguments (already rewritten) as written, spaces kept. It
// returns the replacement text, or "" to keep the call as it is.
type CallFunc func(name string, args []string) (string, error)

// RewriteCalls rewrites every function call in expr, innermost first, with
// f. Quoted strings and identifiers are copied untouched, so a function name
// inside a string literal is never rewritten. Dialects use it to translate
// aggregate spellings (count(), uniq(x), countIf(c)).
func RewriteCalls(expr string, f CallFunc) (string, error) {
	p := &parser{src: expr, f: f}
	out, err := p.seq(false)
	if err != nil {
		return "", fmt.Errorf("expression %q: %w", expr, err)
	}
	return out, nil
}

// aggregates are the aggregate functions of both dialects, lower case, that
// HasAggregate looks for. Any of them with the suffix "If" counts too.
var aggregates = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "any": true,
	"uniq": true, "uniqexact": true, "uniqcombined": true, "uniqhll12": true,
	"median": true, "quantile": true, "quantileexact": true, "quantiles": true,
	"stddevpop": true, "stddevsamp": true, "varpop": true, "varsamp": true,
	"stddev": true, "variance": true, "argmin": true, "argmax": true, "anylast": true,
	"count_star": true, "approx_count_distinct": true, "first": true, "last": true,
	"mode": true, "bool_and": true, "bool_or": true, "string_agg": true,
	"sumif": true, "countif": true, "uniqif": true, "avgif": true,
}

// IsAggregate reports whether name is a known aggregate function.
func IsAggregate(name string) bool {
	n := strings.ToLower(name)
	return aggregates[n] || (strings.HasSuffix(n, "if") && aggregates[strings.TrimSuffix(n, "if")])
}

// HasAggregate reports whether expr calls an aggregate function. A ratio's
// numerator or denominator without one is a per-row expression to be summed.
func HasAggregate(expr string) (bool, error) {
	found := false
	_, err := RewriteCalls(expr, func(name string, _ []string) (string, error) {
		found = found || IsAggregate(name)
		return "", nil
	})
	return found, err
}

type parser struct {
	src string
	pos int
	f   CallFunc
}

var errUnbalanced = errors.New("unbalanced parentheses")

// seq copies text up to the end, or up to a ',' or ')' at this depth when
// inArgs; calls are rewritten on the way.
func (p *parser) seq(inArgs bool) (string, error) {
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\'' || c == '"' || c == '`':
			s, err := p.quoted(c)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		case c == '(':
			p.pos++
			args, err := p.args()
			if err != nil {
				return "", err
			}
			b.WriteString("(" + strings.Join(args, ",") + ")")
		case c == ')' || c == ',':
			if !inArgs {
				if c == ')' {
					return "", errUnbalanced
				}
				b.WriteByte(c)
				p.pos++
				continue
			}
			return b.String(), nil
		case isIdentStart(c):
			s, err := p.ident()
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	if inArgs {
		return "", errUnbalanced
	}
	return b.String(), nil
}

// args reads comma separated arguments after '(' through the closing ')'.
func (p *parser) args() ([]string, error) {
	var args []string
	for {
		a, err := p.seq(true)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		c := p.src[p.pos]
		p.pos++
		if c == ')' {
			if len(args) == 1 && strings.TrimSpace(args[0]) == "" {
				return []string{args[0]}, nil
			}
			return args, nil
		}
	}
}

// ident copies an identifier, rewriting it when a call follows.
func (p *parser) ident() (string, error) {
	start := p.pos
	for p.pos < len(p.src) && isIdentPart(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t' || p.src[j] == '\n') {
		j++
	}
	if j >= len(p.src) || p.src[j] != '(' || start > 0 && p.src[start-1] == '.' {
		return name, nil
	}
	p.pos = j + 1
	args, err := p.args()
	if err != nil {
		return "", err
	}
	repl, err := p.f(name, args)
	if err != nil {
		return "", fmt.Errorf("%s(): %w", name, err)
	}
	if repl != "" {
		return repl, nil
	}
	return name + p.src[start+len(name):j] + "(" + strings.Join(args, ",") + ")", nil
}

// quoted copies a quoted string or identifier. A doubled quote or a
// backslash escapes the quote character inside it.
func (p *parser) quoted(q byte) (string, error) {
	start := p.pos
	p.pos++
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		p.pos++
		switch {
		case c == '\\' && p.pos < len(p.src):
			p.pos++
		case c == q && p.pos < len(p.src) && p.src[p.pos] == q:
			p.pos++
		case c == q:
			return p.src[start:p.pos], nil
		}
	}
	return "", fmt.Errorf("unterminated quote %c", q)
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
