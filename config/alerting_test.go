package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const alertingBase = "sources: {db: {type: duckdb}}\nnotifiers: {out: {type: console}}\n"

func TestAlertingInheritance(t *testing.T) {
	tests := []struct {
		name     string
		defaults string
		metric   string
		want     Alerting
	}{
		{"built-in", "", "", builtinAlerting()},
		{"from defaults", "defaults: {resolve_after: 3, renotify: 4h, catch_up: 48}\n", "",
			Alerting{ResolveAfter: 3, ReopenWithin: DefaultReopenWithin, Renotify: 4 * time.Hour, CatchUp: 48, FailingAfter: DefaultFailingAfter}},
		{"metric wins", "defaults: {failing_after: 5, reopen_within: 2}\n", ", failing_after: 1, reopen_within: 0, renotify: 0",
			Alerting{ResolveAfter: DefaultResolveAfter, ReopenWithin: 0, Renotify: 0, CatchUp: DefaultCatchUp, FailingAfter: 1}},
		{"quiet hours from defaults", "defaults: {quiet_hours: [{days: [sat, sun]}]}\n", "",
			Alerting{ResolveAfter: 2, ReopenWithin: 6, Renotify: 24 * time.Hour, CatchUp: 24, FailingAfter: 3,
				QuietHours: []QuietWindow{{Days: []time.Weekday{time.Saturday, time.Sunday}}}}},
		{"metric quiet hours replace defaults", "defaults: {quiet_hours: [{days: [sat]}]}\n", `, quiet_hours: [{from: "22:00", to: "06:00"}, {dates: [2024-12-24]}]`,
			Alerting{ResolveAfter: 2, ReopenWithin: 6, Renotify: 24 * time.Hour, CatchUp: 24, FailingAfter: 3,
				QuietHours: []QuietWindow{{From: 22 * time.Hour, To: 6 * time.Hour}, {Dates: []string{"2024-12-24"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := "metrics: [{name: m, table: t, timestamp: ts, value: count()" + tt.metric + "}]\n"
			cfg, err := LoadFS(mapFS(alertingBase+tt.defaults, rules), "vigil.yaml")
			if err != nil {
				t.Fatalf("LoadFS() error = %v", err)
			}
			if got := cfg.Metrics[0].Alerting; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("metric alerting = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAlertingErrors(t *testing.T) {
	tests := []struct {
		name     string
		defaults string
		metric   string
		want     string
	}{
		{"resolve_after zero", "", ", resolve_after: 0", `metric "m": resolve_after: must be between 1 and 1000, got 0`},
		{"catch_up too large", "defaults: {catch_up: 5000}\n", "", "defaults.catch_up: must be between 1 and 1000, got 5000"},
		{"failing_after words", "", ", failing_after: three", `failing_after: want a whole number, got "three"`},
		{"renotify not a duration", "", ", renotify: daily", `renotify: invalid duration "daily"`},
		{"quiet hours not a list", "", ", quiet_hours: {days: [sat]}", "quiet_hours: want a list of windows"},
		{"quiet hours unknown day", "", ", quiet_hours: [{days: [caturday]}]", `quiet_hours[0].days[0]: unknown day "caturday"`},
		{"quiet hours from without to", "", `, quiet_hours: [{from: "22:00"}]`, "quiet_hours[0]: give both from and to"},
		{"quiet hours bad time", "", `, quiet_hours: [{from: "10pm", to: "06:00"}]`, `quiet_hours[0].from: want a time of day such as "22:00", got "10pm"`},
		{"quiet hours bad date", "", ", quiet_hours: [{dates: [24.12.2024]}]", `quiet_hours[0].dates[0]: want a date such as 2024-12-24, got "24.12.2024"`},
		{"quiet hours empty window", "", ", quiet_hours: [{}]", "quiet_hours[0]: covers no time"},
		{"quiet hours unknown key", "", ", quiet_hours: [{day: [sat]}]", `quiet_hours[0].day: unknown key; did you mean "days"?`},
		{"metric-level mute", "", ", mute: [{days: [sat]}]", "mute: unknown key; to hold a metric's notifications in set hours write quiet_hours; to keep recurring windows from alerting at all write detect.mute"},
		{"history without source", "history: {table: t}\n", "", "history.source: missing"},
		{"history unknown source", "history: {source: dv}\n", "", `history.source: unknown source "dv"`},
		{"history bad table", "history: {source: db, table: \"a; DROP TABLE b\"}\n", "", "history.table: want a table name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := "metrics: [{name: m, table: t, timestamp: ts, value: count()" + tt.metric + "}]\n"
			_, err := LoadFS(mapFS(alertingBase+tt.defaults, rules), "vigil.yaml")
			if err == nil {
				t.Fatalf("LoadFS() = nil error, want %q", tt.want)
			}
			errs := errorList(t, err)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("LoadFS() errors:\n%v\nwant exactly one, containing %q", err, tt.want)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	rules := "metrics: [{name: m, table: t, timestamp: ts, value: count()}]\n"
	tests := []struct {
		name, config string
		want         History
	}{
		{"off", "", History{}},
		{"default table", "history: {source: db}\n", History{Source: "db", Table: DefaultHistoryTable}},
		{"qualified table", "history: {source: db, table: analytics.alerts}\n", History{Source: "db", Table: "analytics.alerts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadFS(mapFS(alertingBase+tt.config, rules), "vigil.yaml")
			if err != nil {
				t.Fatalf("LoadFS() error = %v", err)
			}
			got := cfg.History
			got.Pos = Pos{}
			if got != tt.want || got.Enabled() != (tt.want.Source != "") {
				t.Errorf("History = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestQuietWindowActive(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	night := QuietWindow{From: 22 * time.Hour, To: 6 * time.Hour}
	fridayNight := QuietWindow{Days: []time.Weekday{time.Friday}, From: 22 * time.Hour, To: 6 * time.Hour}
	office := QuietWindow{From: 9 * time.Hour, To: 17 * time.Hour}
	weekend := QuietWindow{Days: []time.Weekday{time.Saturday, time.Sunday}}
	xmas := QuietWindow{Dates: []string{"2024-12-24"}}
	tests := []struct {
		name string
		w    QuietWindow
		at   string // UTC
		loc  *time.Location
		want bool
	}{
		{"night, evening part", night, "2024-03-05T23:00:00Z", time.UTC, true},
		{"night, morning part", night, "2024-03-05T05:59:00Z", time.UTC, true},
		{"night ends at to", night, "2024-03-05T06:00:00Z", time.UTC, false},
		{"night, afternoon", night, "2024-03-05T15:00:00Z", time.UTC, false},
		{"night read in Berlin", night, "2024-03-05T21:30:00Z", berlin, true}, // 22:30 in Berlin
		{"friday night on saturday morning", fridayNight, "2024-03-09T03:00:00Z", time.UTC, true},
		{"friday night not on friday morning", fridayNight, "2024-03-08T03:00:00Z", time.UTC, false},
		{"office hours start", office, "2024-03-05T09:00:00Z", time.UTC, true},
		{"office hours end", office, "2024-03-05T17:00:00Z", time.UTC, false},
		{"weekend", weekend, "2024-03-09T12:00:00Z", time.UTC, true},
		{"weekday", weekend, "2024-03-08T12:00:00Z", time.UTC, false},
		{"weekend starts in Berlin first", weekend, "2024-03-08T23:30:00Z", berlin, true},
		{"holiday", xmas, "2024-12-24T18:00:00Z", time.UTC, true},
		{"day after", xmas, "2024-12-25T00:00:00Z", time.UTC, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.w.Active(at, tt.loc); got != tt.want {
				t.Errorf("Active(%s in %s) = %v, want %v", tt.at, tt.loc, got, tt.want)
			}
			if got := Quiet([]QuietWindow{office, tt.w}, at, tt.loc); got != (tt.want || office.Active(at, tt.loc)) {
				t.Errorf("Muted(%s) = %v", tt.at, got)
			}
		})
	}
}
