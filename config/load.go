package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	pathpkg "path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the config file at path and every *.yaml and *.yml file under
// its rules folder (recursively, in path order, skipping folders whose name
// starts with a dot), expands ${VAR} from the environment, validates it all
// and applies defaults. On failure it returns a *Errors listing every
// problem found.
func Load(path string) (*Config, error) {
	return load(osFiles{}, path, os.LookupEnv)
}

// LoadFS is Load reading from fsys: path and the paths in the config file
// are slash-separated and relative to the root of fsys. The environment is
// still read for ${VAR}.
func LoadFS(fsys fs.FS, path string) (*Config, error) {
	return load(ioFiles{fsys}, pathpkg.Clean(path), os.LookupEnv)
}

type loader struct {
	files   files
	lookup  func(string) (string, bool)
	errs    []Error
	secrets []string
	rank    map[string]int // file → order in which it was loaded, for sorting
}

func load(f files, path string, lookup func(string) (string, bool)) (*Config, error) {
	l := &loader{files: f, lookup: lookup, rank: map[string]int{path: 0}}
	cfg := l.load(path)
	if len(l.errs) == 0 {
		return cfg, nil
	}
	redact(l.errs, l.secrets)
	sortErrors(l.errs, l.rank)
	errs := Errors(dedupe(l.errs))
	return nil, &errs
}

func (l *loader) load(path string) *Config {
	d := l.decoder(path)
	docs := l.parse(path)
	if docs == nil {
		return nil
	}
	if len(docs) > 1 {
		l.add(d.pos(docs[1]), "", "the config file holds more than one YAML document; keep one", nil)
	}
	raw := parseConfig(d, docs[0])
	if raw.sc.bad[""] {
		return nil // not a mapping at all: nothing else can be judged
	}
	join := func(p string) string { return l.files.Join(l.files.Dir(path), p) }
	cfg := checkConfig(raw, path, join)
	names, err := l.files.YAMLFiles(cfg.RulesDir)
	if err != nil {
		raw.sc.errorf("rules", "cannot read rules folder %s: %v; create it or set rules: to the folder holding your rules files", cfg.RulesDir, cause(err))
	}
	var metrics []*rawMetric
	for _, name := range names {
		if l.files.Same(name, path) {
			continue
		}
		l.rank[name] = len(l.rank)
		metrics = append(metrics, l.loadRules(name)...)
	}
	c := newMetricChecker(cfg, raw.defaults)
	for _, m := range metrics {
		cfg.Metrics = append(cfg.Metrics, c.check(m))
	}
	if len(cfg.Notifiers) == 0 && len(metrics) > 0 && !raw.sc.bad["notifiers"] {
		raw.sc.errorf("notifiers", "no notifiers defined, so no alert can be sent; add one, e.g. notifiers: {stdout: {type: console}}")
	}
	return cfg
}

func (l *loader) loadRules(name string) []*rawMetric {
	docs := l.parse(name)
	d := l.decoder(name)
	var out []*rawMetric
	for _, doc := range docs {
		out = append(out, parseRules(d, doc, len(out))...)
	}
	return out
}

func (l *loader) decoder(file string) *decoder {
	return &decoder{file: file, lookup: l.lookup, errs: &l.errs, secrets: &l.secrets, budget: nodeBudget}
}

// parse reads and parses every YAML document in the file, returning each
// document's root; an empty file has one empty mapping. It returns nil
// after reporting a file that cannot be read or parsed.
func (l *loader) parse(name string) (docs []*yaml.Node) {
	data, err := l.files.ReadFile(name)
	if err != nil {
		l.add(Pos{File: name}, "", "cannot read: "+cause(err).Error(), err)
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			l.add(Pos{File: name}, "", fmt.Sprintf("cannot parse YAML: %v", r), nil)
			docs = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			l.syntaxError(name, err)
			return nil
		}
		docs = append(docs, root(&n))
	}
	if len(docs) == 0 {
		docs = append(docs, &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1})
	}
	return docs
}

// root returns a document's top node; an empty document is an empty mapping.
func root(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.DocumentNode || (doc.Kind == yaml.ScalarNode && doc.ShortTag() == "!!null") {
		return &yaml.Node{Kind: yaml.MappingNode, Line: doc.Line, Column: doc.Column}
	}
	return doc
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems start the messages of the YAML parser (as opposed to its
// scanner). The parser names a line counted from 0: the line where the
// enclosing block or flow collection starts, or else where the problem is.
var parserProblems = []string{"did not find expected ',' or", "did not find expected key",
	"did not find expected '-' indicator", "did not find expected node content",
	"did not find expected <", "found undefined tag handle", "found duplicate %", "found incompatible YAML"}

// syntaxError reports a YAML syntax error at its line when it names one.
func (l *loader) syntaxError(name string, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{File: name}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if slices.ContainsFunc(parserProblems, func(p string) bool { return strings.HasPrefix(msg, p) }) {
			pos.Line++
		}
	}
	l.add(pos, "", "invalid YAML: "+msg, err)
}

func (l *loader) add(pos Pos, path, msg string, err error) {
	l.errs = append(l.errs, Error{Pos: pos, Path: path, Msg: msg, err: err})
}

// cause drops the operation and path that fs errors repeat.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// dedupe drops repeats of the same problem at the same place, which YAML
// aliases and merge keys can produce; errs must be sorted.
func dedupe(errs []Error) []Error {
	var out []Error
	for _, e := range errs {
		if n := len(out); n > 0 {
			p := out[n-1]
			if e.Pos == p.Pos && e.Path == p.Path && e.Msg == p.Msg && e.Metric == p.Metric {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}
