package config

import (
	"fmt"
	"strings"
)

// expansion is the result of expanding one scalar.
type expansion struct {
	value string
	used  []string // values read from the environment, for redaction of secrets
	refs  bool     // the text referred to at least one variable
}

// expand replaces ${VAR} with the variable's value, ${VAR:-default} with the
// value or, when it is unset or empty, the default (which may be empty), and
// $$ with a single $. Any other $ stands for itself. An unset variable
// without a default is an error naming every such variable in s.
func expand(s string, lookup func(string) (string, bool)) (expansion, error) {
	if !strings.Contains(s, "$") {
		return expansion{value: s}, nil
	}
	var (
		b     strings.Builder
		x     expansion
		unset []string
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '{':
		default:
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return expansion{}, fmt.Errorf("unterminated %q; close it with }, or write $$ for a literal $", s[i:])
		}
		name, def, hasDef, err := splitRef(s[i+2 : i+end])
		if err != nil {
			return expansion{}, err
		}
		x.refs = true
		v, ok := lookup(name)
		switch {
		case ok && (v != "" || !hasDef):
			b.WriteString(v)
			x.used = append(x.used, v)
		case hasDef:
			b.WriteString(def)
		default:
			unset = append(unset, name)
		}
		i += end
	}
	if len(unset) > 0 {
		return expansion{}, unsetError(unset)
	}
	x.value = b.String()
	return x, nil
}

// splitRef splits the inside of ${...} into the variable name and default.
func splitRef(ref string) (name, def string, hasDef bool, err error) {
	name = ref
	if k := strings.IndexByte(ref, ':'); k >= 0 {
		name = ref[:k]
		if !strings.HasPrefix(ref[k:], ":-") {
			return "", "", false, fmt.Errorf("unsupported form ${%s}; write ${%s} or ${%s:-default}", ref, name, name)
		}
		def, hasDef = ref[k+2:], true
	}
	if k := strings.IndexByte(name, '-'); k > 0 && validVarName(name[:k]) {
		return "", "", false, fmt.Errorf("unsupported form ${%s}; write ${%s:%s} for a default", ref, name[:k], name[k:])
	}
	if !validVarName(name) {
		return "", "", false, fmt.Errorf("invalid environment variable name %q in ${%s}; use letters, digits and _, not starting with a digit", name, ref)
	}
	return name, def, hasDef, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// unsetError names environment variables that are referred to but not set.
// Its text holds only names, never values, so it is safe for secrets.
type unsetError []string

func (u unsetError) Error() string {
	if len(u) == 1 {
		return fmt.Sprintf("environment variable %s is not set; set it, or give a default with ${%s:-value}", u[0], u[0])
	}
	return fmt.Sprintf("environment variables %s are not set; set them, or give defaults with ${NAME:-value}", strings.Join(u, ", "))
}
