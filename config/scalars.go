package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// This file decodes single values. Every decoder takes the text of the
// scalar after ${VAR} expansion, so a variable can stand for a number, a
// duration or a boolean as well as for a string.

// text returns the expanded text of the scalar n. want describes the
// expected value for the message when n is not a scalar. Secret values are
// remembered for redaction and never quoted.
func (s *scope) text(key string, n *yaml.Node, want string, secret bool) (string, bool) {
	r := s.d.resolve(n)
	switch {
	case r == nil:
		s.bad[key] = true
		return "", false
	case r.Kind != yaml.ScalarNode:
		s.fail(key, n, "want %s, got %s", want, describe(r))
		return "", false
	case r.ShortTag() == "!!null":
		s.fail(key, n, "missing value; give %s or remove the key", want)
		return "", false
	}
	x, err := expand(r.Value, s.d.lookup)
	if secret {
		*s.d.secrets = append(*s.d.secrets, x.used...)
		*s.d.secrets = append(*s.d.secrets, x.value)
		s.literal[key] = !x.refs
		var unset unsetError
		if err != nil && !errors.As(err, &unset) {
			err = errors.New("invalid ${...} reference; write ${NAME} or ${NAME:-default}")
		}
	}
	if err != nil {
		s.fail(key, n, "%s", err.Error())
		return "", false
	}
	return x.value, true
}

func str(dst *string) field {
	return func(s *scope, key string, n *yaml.Node) {
		if v, ok := s.text(key, n, "a string", false); ok {
			*dst = v
		}
	}
}

// secret decodes a string that must never be printed.
func secret(dst *string) field {
	return func(s *scope, key string, n *yaml.Node) {
		if v, ok := s.text(key, n, "a string", true); ok {
			*dst = v
		}
	}
}

func boolean(dst *bool) field {
	return func(s *scope, key string, n *yaml.Node) {
		v, ok := s.text(key, n, "true or false", false)
		switch {
		case !ok:
		case strings.EqualFold(v, "true"):
			*dst = true
		case strings.EqualFold(v, "false"):
			*dst = false
		default:
			s.fail(key, n, "want true or false, got %q", v)
		}
	}
}

func integer(dst *int) field {
	return func(s *scope, key string, n *yaml.Node) {
		if v, ok := s.text(key, n, "a whole number", false); ok {
			i, err := strconv.Atoi(v)
			if err != nil {
				s.fail(key, n, "want a whole number, got %q", v)
				return
			}
			*dst = i
		}
	}
}

func number(dst *float64) field {
	return func(s *scope, key string, n *yaml.Node) {
		if v, ok := s.text(key, n, "a number", false); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				s.fail(key, n, "want a finite number, got %q", v)
				return
			}
			*dst = f
		}
	}
}

func duration(dst *time.Duration) field {
	return func(s *scope, key string, n *yaml.Node) {
		if v, ok := s.text(key, n, "a duration such as 15m, 1h or 1d", false); ok {
			d, err := ParseDuration(v)
			if err != nil {
				s.fail(key, n, "%s", err.Error())
				return
			}
			*dst = d
		}
	}
}

// stringList decodes a list of strings. An item's problem is reported at the
// item, as key[i].
func stringList(dst *[]string) field {
	return func(s *scope, key string, n *yaml.Node) {
		var out []string
		if !s.items(key, n, "a list such as [a, b]", func(_ int, k string, item *yaml.Node) {
			if v, ok := s.text(k, item, "a string", false); ok {
				out = append(out, v)
			} else {
				s.bad[key] = true
			}
		}) {
			return
		}
		*dst = append(make([]string, 0, len(out)), out...)
	}
}

// items decodes n as a list: it calls each with every item's index, its
// key (key[i], located at the item) and node, and reports whether n was a
// list. want names the list in the error when it is not, "a list such as
// [a, b]".
func (s *scope) items(key string, n *yaml.Node, want string, each func(i int, k string, item *yaml.Node)) bool {
	r := s.d.resolve(n)
	if r == nil {
		s.bad[key] = true
		return false
	}
	if r.Kind != yaml.SequenceNode {
		s.fail(key, n, "want %s, got %s", want, describe(r))
		return false
	}
	for i, item := range r.Content {
		k := fmt.Sprintf("%s[%d]", key, i)
		s.at[k] = s.d.pos(item)
		each(i, k, item)
	}
	return true
}

// stringMap decodes a mapping of names to strings. An entry's problem is
// reported at the entry, as key.name.
func stringMap(dst *map[string]string) field {
	return func(s *scope, key string, n *yaml.Node) {
		m := s.mapping(n, key)
		if m == nil {
			return
		}
		out := map[string]string{}
		for _, p := range s.entries(m, key) {
			k := joinKey(key, p.key)
			s.at[k] = s.d.pos(p.v)
			if v, ok := s.text(k, p.v, "a string", false); ok {
				out[p.key] = v
			} else {
				s.bad[key] = true
			}
		}
		*dst = out
	}
}

func nested(spec fields) field {
	return func(s *scope, key string, n *yaml.Node) { s.fields(n, key, spec) }
}
