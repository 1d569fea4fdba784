package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// detectSpec returns the detect mapping the method flags and --detect
// describe together, as YAML for config.ParseDetect, which checks every
// setting. A setting given both by a flag and in --detect is an error.
func (f *backtestFlags) detectSpec() (string, error) {
	root, err := detectMapping(f.detect)
	if err != nil {
		return "", fmt.Errorf("--detect: %w", err)
	}
	inDetect := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		inDetect[root.Content[i].Value] = true
	}
	given := f.set()
	for _, m := range methodFlags {
		if !slices.Contains(given, m.flag) {
			continue
		}
		if inDetect[m.key] {
			return "", fmt.Errorf("--%s and --detect both set %s; give it once", m.flag, m.key)
		}
		root.Content = append(root.Content, scalar(m.key), flagValue(m.key, *f.method[m.flag]))
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		return "", fmt.Errorf("detect settings: %w", err)
	}
	return string(out), nil
}

// detectMapping parses --detect: a YAML mapping, its braces optional.
func detectMapping(text string) (*yaml.Node, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	n, err := yamlNode(s)
	if err != nil && !strings.HasPrefix(s, "{") {
		n, err = yamlNode("{" + s + "}") // a flow mapping without its braces
	}
	if err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, errors.New("want a mapping of detect settings such as 'period: 1d, robust: false'")
	}
	return n, nil
}

// yamlNode parses one YAML document and returns its top node.
func yamlNode(s string) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("invalid YAML: %v", r)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	return doc.Content[0], nil
}

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// flagValue is a flag's value as YAML: a string, or for seasonality
// written as "daily,weekly" or "daily+weekly" the list the config takes.
func flagValue(key, v string) *yaml.Node {
	if key != "seasonality" || !strings.ContainsAny(v, ",+") {
		return scalar(v)
	}
	list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for part := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ',' || r == '+' }) {
		list.Content = append(list.Content, scalar(strings.TrimSpace(part)))
	}
	return list
}
