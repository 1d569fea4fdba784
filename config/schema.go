package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// This file maps the YAML keys users write to the schema's fields. It only
// decodes; validate.go and validate_metric.go judge the values.

// rawConfig is a decoded config file before validation.
type rawConfig struct {
	sc        *scope
	sources   []*rawSource // in file order
	notifiers []*rawNotifier
	defaults  *rawDefaults
	rules     string
	state     string
	history   History
}

type rawSource struct {
	Source
	sc *scope
}

type rawNotifier struct {
	Notifier
	sc *scope
}

type rawDefaults struct {
	Defaults
	sc *scope
}

type rawMetric struct {
	Metric
	fill   string
	sc     *scope
	origin map[string]string // inherited key → "defaults.<key>" or "default"
}

func parseConfig(d *decoder, root *yaml.Node) *rawConfig {
	c := &rawConfig{sc: d.scope("", "", d.pos(root))}
	c.defaults = &rawDefaults{sc: d.scope("defaults.", "", d.pos(root))}
	c.sc.fields(root, "", fields{
		"sources":   c.named(c.addSource),
		"notifiers": c.named(c.addNotifier),
		"rules":     str(&c.rules),
		"state":     str(&c.state),
		"history":   nested(historyFields(&c.history)),
		"defaults": func(s *scope, key string, n *yaml.Node) {
			c.defaults.sc.pos = d.pos(n)
			c.defaults.sc.fields(n, "", defaultsFields(&c.defaults.Defaults))
		},
		"x-*": nil,
	})
	return c
}

// named decodes a mapping of names to entities, such as sources.
func (c *rawConfig) named(add func(name string, pos Pos, n *yaml.Node)) field {
	return func(s *scope, key string, n *yaml.Node) {
		m := s.mapping(n, key)
		if m == nil {
			return
		}
		for _, p := range s.entries(m, key) {
			add(p.key, s.d.pos(p.keyNode), p.v)
		}
	}
}

func (c *rawConfig) addSource(name string, pos Pos, n *yaml.Node) {
	src := &rawSource{sc: c.sc.d.scope("sources."+name+".", "", pos)}
	src.Name, src.Pos = name, pos
	src.sc.fields(n, "", sourceFields(&src.Source))
	c.sources = append(c.sources, src)
}

func sourceFields(src *Source) fields {
	return fields{
		"type":               str(&src.Type),
		"path":               str(&src.Path),
		"init":               stringList(&src.Init),
		"demo":               boolean(&src.Demo),
		"dsn":                secret(&src.DSN),
		"tls":                nested(tlsFields(&src.TLS)),
		"connect_timeout":    duration(&src.ConnectTimeout),
		"query_timeout":      duration(&src.QueryTimeout),
		"max_execution_time": duration(&src.MaxExecutionTime),
		"max_concurrency":    integer(&src.MaxConcurrency),
	}
}

func tlsFields(t *TLS) fields {
	return fields{
		"enabled":              boolean(&t.Enabled),
		"insecure_skip_verify": boolean(&t.InsecureSkipVerify),
		"ca_file":              str(&t.CAFile),
		"server_name":          str(&t.ServerName),
	}
}

func (c *rawConfig) addNotifier(name string, pos Pos, n *yaml.Node) {
	nt := &rawNotifier{sc: c.sc.d.scope("notifiers."+name+".", "", pos)}
	nt.Name, nt.Pos = name, pos
	nt.sc.fields(n, "", notifierFields(&nt.Notifier))
	c.notifiers = append(c.notifiers, nt)
}

func notifierFields(nt *Notifier) fields {
	return fields{
		"type":    str(&nt.Type),
		"channel": str(&nt.Channel),
		"token":   secret(&nt.Token),
		"url":     secret(&nt.URL),
		// Slack only
		"app_token":           secret(&nt.AppToken),
		"channel_by_severity": nested(severityFields(&nt.ChannelBySeverity)),
		"mentions":            stringMap(&nt.Mentions),
		"chart":               str(&nt.Chart),
		"digest":              str(&nt.Digest),
		"digest_only":         boolean(&nt.DigestOnly),
		"allowed_channels":    stringList(&nt.AllowedChannels),
		"allowed_users":       stringList(&nt.AllowedUsers),
		"allowed_groups":      stringList(&nt.AllowedGroups),
	}
}

// severityFields decodes channel_by_severity: one channel per severity.
func severityFields(dst *map[string]string) fields {
	f := fields{}
	for _, sev := range severities {
		f[sev] = func(s *scope, key string, n *yaml.Node) {
			if v, ok := s.text(key, n, "a channel", false); ok {
				if *dst == nil {
					*dst = map[string]string{}
				}
				(*dst)[sev] = v
			}
		}
	}
	return f
}

func defaultsFields(d *Defaults) fields {
	return withAlerting(fields{
		"schedule":    str(&d.Schedule),
		"timezone":    str(&d.Timezone),
		"granularity": duration(&d.Granularity),
		"delay":       duration(&d.Delay),
		"source":      str(&d.Source),
		"notify":      stringList(&d.Notify),
		"timeout":     duration(&d.Timeout),
		"detect":      nested(detectFields(&d.Detect)),
	}, &d.Alerting)
}

// parseRules decodes one document of a rules file, leaving out items that
// are not metrics at all. first is the number of
// metrics already read from earlier documents of the file, so that a
// nameless metric is still told apart.
func parseRules(d *decoder, root *yaml.Node, first int) []*rawMetric {
	var out []*rawMetric
	top := d.scope("", "", d.pos(root))
	if r := d.resolve(root); r != nil && r.Kind == yaml.SequenceNode {
		top.fail("", root, "want a mapping with a metrics: list, got a list; add a line metrics: above the first item and indent the items under it")
		return nil
	}
	top.fields(root, "", fields{
		"metrics": func(s *scope, key string, n *yaml.Node) {
			r := s.d.resolve(n)
			if r == nil {
				return
			}
			if r.Kind != yaml.SequenceNode {
				s.fail(key, n, "want a list of metrics (each item starting with - name: ...), got %s", describe(r))
				return
			}
			for i, item := range r.Content {
				if m := parseMetric(d, item, first+i); m != nil {
					out = append(out, m)
				}
			}
		},
		"x-*": nil,
	})
	return out
}

func parseMetric(d *decoder, n *yaml.Node, index int) *rawMetric {
	m := &rawMetric{origin: map[string]string{}}
	m.Pos = d.pos(n)
	name := peekName(d, n)
	m.sc = d.scope("", name, m.Pos)
	if name == "" {
		m.sc.prefix = fmt.Sprintf("metrics[%d].", index)
	}
	if n = m.sc.mapping(n, ""); n == nil {
		return nil // reported: not a metric at all
	}
	m.sc.fields(n, "", metricFields(m))
	return m
}

func metricFields(m *rawMetric) fields {
	return withAlerting(fields{
		"name":          str(&m.Name),
		"description":   str(&m.Description),
		"owner":         str(&m.Owner),
		"runbook":       str(&m.Runbook),
		"slack_channel": str(&m.SlackChannel),
		"unit":          str(&m.Unit),
		"source":        str(&m.Source),
		"table":         str(&m.Table),
		"timestamp":     str(&m.Timestamp),
		"value":         str(&m.Value),
		"numerator":     str(&m.Numerator),
		"denominator":   str(&m.Denominator),
		"filter":        str(&m.Filter),
		"dimensions":    stringList(&m.Dimensions),
		"sql":           str(&m.SQL),
		"granularity":   duration(&m.Granularity),
		"delay":         duration(&m.Delay),
		"schedule":      str(&m.Schedule),
		"timezone":      str(&m.Timezone),
		"fill":          str(&m.fill),
		"detect":        nested(detectFields(&m.Detect)),
		"notify":        stringList(&m.Notify),
		"completeness":  nested(completenessFields(&m.Completeness)),
		"explain":       nested(explainFields(&m.Explain)),
	}, &m.Alerting)
}

// peekName finds the metric's name before decoding, so that every problem
// in the metric can name it. Problems with the name itself are reported
// when it is decoded.
func peekName(d *decoder, n *yaml.Node) string {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "name" && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
			x, err := expand(v.Value, d.lookup)
			if err == nil {
				return x.value
			}
		}
	}
	return ""
}
