package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nodeBudget bounds the nodes one file may make the decoder visit. Aliases
// let a few lines of YAML stand for millions of nodes; a real file is far
// below this.
const nodeBudget = 200_000

// decoder walks the YAML nodes of one file, collecting problems rather than
// stopping at the first.
type decoder struct {
	file     string
	lookup   func(string) (string, bool)
	errs     *[]Error
	secrets  *[]string
	budget   int
	exceeded bool
}

// scope collects what one entity (the file's top level, a source, a
// notifier, the defaults, a metric) sets, with the position of each key's
// value so that later checks can point at it.
type scope struct {
	d       *decoder
	metric  string          // the metric's name, for messages
	prefix  string          // prepended to key paths in messages, e.g. "sources.warehouse."
	pos     Pos             // where the entity starts
	at      map[string]Pos  // key path → position of its value
	bad     map[string]bool // keys whose value was unusable and already reported
	literal map[string]bool // secret keys written without any ${VAR}
}

// field decodes the value of one key into its destination.
type field func(s *scope, key string, n *yaml.Node)

// fields maps the keys a mapping accepts to their decoders. The key "x-*",
// when present, lets keys starting with x- through unread, as a place for
// YAML anchors.
type fields map[string]field

type pair struct {
	key        string
	keyNode, v *yaml.Node
}

func (d *decoder) scope(prefix, metric string, pos Pos) *scope {
	return &scope{d: d, metric: metric, prefix: prefix, pos: pos,
		at: map[string]Pos{}, bad: map[string]bool{}, literal: map[string]bool{}}
}

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line, Column: n.Column}
}

// resolve follows aliases and charges the visit against the budget. It
// returns nil once the budget is spent.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode || d.exceeded {
		return nil
	}
	if d.budget--; d.budget < 0 {
		d.exceeded = true
		*d.errs = append(*d.errs, Error{Pos: d.pos(n),
			Msg: fmt.Sprintf("aliases expand to more than %d values; simplify the file", nodeBudget)})
		return nil
	}
	return n
}

// has reports whether key was given a usable value.
func (s *scope) has(key string) bool {
	_, ok := s.at[key]
	return ok && !s.bad[key]
}

// fail reports a problem with the value at n and marks key unusable.
func (s *scope) fail(key string, n *yaml.Node, format string, args ...any) {
	s.bad[key] = true
	s.add(s.d.pos(n), key, fmt.Sprintf(format, args...))
}

// errorf reports a problem with key, at its value when it was given and at
// the start of the entity otherwise, and marks key unusable.
func (s *scope) errorf(key, format string, args ...any) {
	pos, ok := s.at[key]
	if !ok {
		pos = s.pos
	}
	s.bad[key] = true
	s.add(pos, key, fmt.Sprintf(format, args...))
}

// check reports err against key when key was given and err is not nil.
func (s *scope) check(key string, err error) {
	if err != nil && s.has(key) {
		s.errorf(key, "%s", err.Error())
	}
}

func (s *scope) add(pos Pos, key, msg string) {
	path := key
	if s.prefix != "" {
		path = strings.TrimSuffix(s.prefix+key, ".")
	}
	*s.d.errs = append(*s.d.errs, Error{Pos: pos, Metric: s.metric, Path: path, Msg: msg})
}

// fields decodes the mapping n, whose own key path is path ("" at the top),
// reporting unknown and duplicate keys.
func (s *scope) fields(n *yaml.Node, path string, spec fields) {
	if n = s.mapping(n, path); n == nil {
		return
	}
	_, ext := spec["x-*"]
	for _, p := range s.entries(n, path) {
		key := joinKey(path, p.key)
		f, ok := spec[p.key]
		switch {
		case ext && strings.HasPrefix(p.key, "x-"):
		case !ok || p.key == "x-*":
			s.unknown(key, p, spec)
		default:
			s.at[key] = s.d.pos(p.v)
			f(s, key, p.v)
		}
	}
}

// mapping resolves n and reports it unless it is a mapping.
func (s *scope) mapping(n *yaml.Node, path string) *yaml.Node {
	r := s.d.resolve(n)
	switch {
	case r == nil:
		return nil
	case r.Kind != yaml.MappingNode:
		s.fail(path, n, "want a mapping of keys to values, got %s", describe(r))
		return nil
	}
	return r
}

// keyHints explain keys that are valid elsewhere and easily put in the
// wrong place.
var keyHints = map[string]string{
	"mute": "to hold a metric's notifications in set hours write quiet_hours; to keep recurring windows from alerting at all write detect.mute",
}

func (s *scope) unknown(key string, p pair, spec fields) {
	valid := make([]string, 0, len(spec))
	for k := range spec {
		if k != "x-*" {
			valid = append(valid, k)
		}
	}
	slices.Sort(valid)
	msg := "unknown key"
	if hint, ok := keyHints[p.key]; ok {
		msg += "; " + hint
	} else if sug := suggest(p.key, valid); sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	} else {
		msg += " (valid keys: " + strings.Join(valid, ", ") + ")"
	}
	s.add(s.d.pos(p.keyNode), key, msg)
}

// entries lists the key/value pairs of mapping n, reporting duplicate and
// non-string keys, and applying YAML merge keys (<<): keys written in n win
// over merged ones.
func (s *scope) entries(n *yaml.Node, path string) []pair {
	var own, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			merged = append(merged, s.merge(v, path)...)
		case k.Kind != yaml.ScalarNode:
			s.add(s.d.pos(k), path, "keys must be plain names, got "+describe(k))
		case seen[k.Value] != nil:
			s.add(s.d.pos(k), joinKey(path, k.Value),
				fmt.Sprintf("duplicate key; first given at line %d", seen[k.Value].Line))
		default:
			seen[k.Value] = k
			own = append(own, pair{k.Value, k, v})
		}
	}
	for _, p := range merged {
		if seen[p.key] == nil {
			seen[p.key] = p.keyNode
			own = append(own, p)
		}
	}
	return own
}

// merge returns the pairs a merge key brings in: from a mapping, or from a
// list of mappings where earlier ones win.
func (s *scope) merge(v *yaml.Node, path string) []pair {
	r := s.d.resolve(v)
	if r == nil {
		return nil
	}
	if r.Kind == yaml.MappingNode {
		return s.entries(r, path)
	}
	if r.Kind != yaml.SequenceNode {
		s.add(s.d.pos(v), joinKey(path, "<<"), "a merge key takes a mapping or a list of mappings, got "+describe(r))
		return nil
	}
	var out []pair
	have := map[string]bool{}
	for _, item := range r.Content {
		m := s.d.resolve(item)
		if m == nil {
			continue
		}
		if m.Kind != yaml.MappingNode {
			s.add(s.d.pos(item), joinKey(path, "<<"), "a merge key takes a mapping or a list of mappings, got a list holding "+describe(m))
			continue
		}
		for _, p := range s.entries(m, path) {
			if !have[p.key] {
				have[p.key] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// describe names the kind of node n for messages, never quoting a value.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return "a single value"
	}
	return "an empty document"
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
