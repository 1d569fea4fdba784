package config

import "regexp"

// History asks vigil to write every incident change to a table in one of
// the sources, so that analysts can query alert history with SQL. It is
// off when Source is empty.
type History struct {
	Source string // a source name
	Table  string // table name, optionally qualified (db.table); created if missing
	Pos    Pos    // where history: is written
}

// DefaultHistoryTable is the table history: writes to when it names none.
const DefaultHistoryTable = "vigil_incidents"

// Enabled reports whether incident history is written anywhere.
func (h History) Enabled() bool { return h.Source != "" }

// tableName is a plain or qualified table name, safe to write into SQL
// unquoted in both dialects.
var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

func historyFields(h *History) fields {
	return fields{
		"source": str(&h.Source),
		"table":  str(&h.Table),
	}
}

// checkHistory validates history: against the sources defined.
func checkHistory(raw *rawConfig, cfg *Config) History {
	if !raw.sc.has("history") {
		return History{}
	}
	h := raw.history
	h.Pos = raw.sc.at["history"]
	sc := raw.sc
	switch {
	case sc.bad["history.source"]:
	case !sc.has("history.source"):
		sc.errorf("history.source", "missing; name the source to write incidents to, e.g. history: {source: warehouse}")
	case !hasKey(cfg.Sources, h.Source):
		sc.errorf("history.source", "%v", refError("source", h.Source, sortedKeys(cfg.Sources)))
	}
	if !sc.has("history.table") {
		h.Table = DefaultHistoryTable
	} else if !tableName.MatchString(h.Table) {
		sc.errorf("history.table", "want a table name of letters, digits and _ (optionally db.table), got %q", h.Table)
	}
	return h
}
