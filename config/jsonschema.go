package config

import (
	"encoding/json"
	"fmt"
)

// JSON Schema identifiers ($id) of the two files, as printed by "vigil
// schema"; they are names, not addresses to fetch.
const (
	ConfigSchemaID = "urn:vigil:schema:config"
	RulesSchemaID  = "urn:vigil:schema:rules"
)

// Patterns of the schema's strings.
const (
	envPattern      = `\$\{`
	durationPattern = `^(0|([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$`
	percentPattern  = `^\s*[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*%$`
	namePatternText = `^[a-z0-9][a-z0-9_.-]*$`
)

// JSONSchema returns the JSON Schema (draft 2020-12) of the config file
// ("config") or of a rules file ("rules"), generated from the table in
// jsonschema_table.go. ${VAR} is allowed wherever a value is, since it is
// expanded before values are checked; a few checks (cross-key rules, value
// ranges, time zones, cron syntax) are left to "vigil check".
func JSONSchema(which string) ([]byte, error) {
	var s map[string]any
	switch which {
	case "config":
		s = configSchema()
	case "rules":
		s = rulesSchema()
	default:
		return nil, fmt.Errorf("schema %q: want config or rules", which)
	}
	return json.MarshalIndent(s, "", "  ")
}

func configSchema() map[string]any {
	named := func(doc []keyDoc, desc string) map[string]any {
		return map[string]any{
			"type":                 "object",
			"description":          desc,
			"propertyNames":        map[string]any{"pattern": namePatternText, "maxLength": maxNameLen},
			"additionalProperties": object(doc, ""),
		}
	}
	return map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         ConfigSchemaID,
		"title":       "vigil config file",
		"description": "Sources, notifiers, defaults and the rules folder of vigil; see config/REFERENCE.md.",
		"type":        "object",
		"properties": map[string]any{
			"sources":   named(sourceDoc, "warehouses to query, by name"),
			"notifiers": named(notifierDoc, "where alerts go, by name"),
			"rules":     jsDescribe(jsString(), "folder of rules files, relative to the config file (default rules)"),
			"state":     jsDescribe(jsString(), "file holding alert state (default vigil-state.db)"),
			"defaults":  object(defaultsDoc, "values for every metric that does not set them"),
			"history": object([]keyDoc{
				{key: "source", kind: kString, required: true, desc: "source whose warehouse receives the incident history"},
				{key: "table", kind: kString, desc: "table to write to, created if missing (default vigil_incidents)"},
			}, "write every incident and its explanation to a warehouse table"),
		},
		"required":             []string{"sources"},
		"patternProperties":    map[string]any{"^x-": true},
		"additionalProperties": false,
	}
}

func rulesSchema() map[string]any {
	return map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         RulesSchemaID,
		"title":       "vigil rules file",
		"description": "Metrics vigil watches; see config/REFERENCE.md.",
		"type":        "object",
		"properties": map[string]any{
			"metrics": map[string]any{"type": "array", "items": object(metricDoc, "one watched metric"), "description": "the metrics of this file"},
		},
		"patternProperties":    map[string]any{"^x-": true},
		"additionalProperties": false,
	}
}

// object is the schema of a mapping with the keys of doc.
func object(doc []keyDoc, desc string) map[string]any {
	props := map[string]any{}
	var required []string
	for _, k := range doc {
		props[k.key] = jsDescribe(value(k), k.desc)
		if k.required {
			required = append(required, k.key)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if desc != "" {
		s["description"] = desc
	}
	if required != nil {
		s["required"] = required
	}
	return s
}

func jsDescribe(s map[string]any, desc string) map[string]any {
	s["description"] = desc
	return s
}

// value is the schema of one key's value.
func value(k keyDoc) map[string]any {
	switch k.kind {
	case kString:
		if k.enum != nil {
			return orEnv(map[string]any{"enum": k.enum})
		}
		return jsString()
	case kDuration:
		return jsDuration()
	case kInt:
		return orEnv(map[string]any{"type": "integer"})
	case kNumber:
		return orEnv(map[string]any{"type": "number"})
	case kBool:
		return orEnv(map[string]any{"type": "boolean"})
	case kStrings:
		return map[string]any{"type": "array", "items": jsString()}
	case kFraction:
		return orEnv(map[string]any{"type": "number"}, map[string]any{"type": "string", "pattern": percentPattern})
	case kSeasonality:
		list := map[string]any{"type": "array", "items": map[string]any{"enum": []string{SeasonalityDaily, SeasonalityWeekly}}}
		return orEnv(map[string]any{"enum": seasonalities}, list)
	case kLevel:
		return orEnv(map[string]any{"enum": levelAdjusts}, map[string]any{"type": "boolean"})
	case kOffset:
		return orEnv(map[string]any{"type": "integer", "minimum": 0}, map[string]any{"type": "string", "pattern": durationPattern})
	case kMute:
		item := object([]keyDoc{
			{key: "schedule", kind: kString, required: true, desc: "cron expression opening the window"},
			{key: "duration", kind: kDuration, required: true, desc: "how long the window stays open"},
		}, "")
		return map[string]any{"type": "array", "items": item}
	case kQuietWindows:
		item := object([]keyDoc{
			{key: "days", kind: kStrings, desc: "weekdays, e.g. [sat, sun]; empty: any day"},
			{key: "dates", kind: kStrings, desc: "dates YYYY-MM-DD; empty: any date"},
			{key: "from", kind: kString, desc: "time of day the window opens, HH:MM"},
			{key: "to", kind: kString, desc: "time of day the window closes, HH:MM (across midnight when earlier than from)"},
		}, "")
		return map[string]any{"type": "array", "items": item}
	case kObject:
		return object(k.keys, "")
	case kStringMap:
		return map[string]any{"type": "object", "additionalProperties": jsString()}
	}
	panic(fmt.Sprintf("config: key %q has no schema kind", k.key))
}

func jsString() map[string]any { return map[string]any{"type": "string"} }

func jsDuration() map[string]any {
	return orEnv(map[string]any{"type": "string", "pattern": durationPattern}, map[string]any{"const": 0})
}

// orEnv allows, besides the schemas given, a string holding ${VAR}, which
// is expanded before the value is read.
func orEnv(schemas ...map[string]any) map[string]any {
	alts := make([]any, 0, len(schemas)+1)
	for _, s := range schemas {
		alts = append(alts, s)
	}
	alts = append(alts, map[string]any{"type": "string", "pattern": envPattern})
	return map[string]any{"oneOf": alts}
}
