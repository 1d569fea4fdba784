package main

import (
	"bufio"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/internal/demo"
)

// storyRow is one alert line of backtest's table: rule, bucket start in the
// rule's zone as printed, and the zone's name or offset.
var storyRow = regexp.MustCompile(`^(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d) (\S+)\s`)

// TestExampleStory replays the example rules over the demo's nine weeks and
// checks the story deploy/examples/README.md tells: each planted incident
// raises an alert in the rule that watches it (orders now, revenue three
// weeks ago, conversion_daily five weeks ago), and no alert falls outside
// the incidents' hours.
func TestExampleStory(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]*time.Location{"UTC": time.UTC}
	if sp, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		zones["-03"] = sp
	} else {
		t.Fatal(err)
	}
	var out string
	var anchor time.Time
	for try := 0; ; try++ { // the demo data ends at the current hour: retry across an hour's turn
		anchor = time.Now().UTC().Truncate(time.Hour)
		var errOut string
		var code int
		out, errOut, code = vigil(t, dir, "backtest", "--config", "deploy/examples/vigil.yaml", "--from", "9w")
		if code != exitOK {
			t.Fatalf("backtest = %d, stderr %s", code, errOut)
		}
		if time.Now().UTC().Truncate(time.Hour).Equal(anchor) || try == 1 {
			break
		}
	}
	incidents := demo.Incidents(anchor)
	watcher := map[string]string{"orders": "orders", "revenue": "revenue", "conversion": "conversion_daily"}
	found := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() && sc.Text() != "" { // the alerts' table ends at the first blank line
		m := storyRow.FindStringSubmatch(sc.Text())
		if m == nil || m[1] == "RULE" {
			continue
		}
		rule, loc := m[1], zones[m[3]]
		if loc == nil {
			t.Fatalf("zone %q in %q not known to the test", m[3], sc.Text())
		}
		at, err := time.ParseInLocation("2006-01-02 15:04", m[2], loc)
		if err != nil {
			t.Fatal(err)
		}
		in := false
		for _, inc := range incidents {
			gran := time.Hour
			if rule == "conversion_daily" {
				gran = 24 * time.Hour
			}
			if at.Before(inc.End) && at.Add(gran).After(inc.Start) { // the bucket overlaps the incident
				in = true
				if watcher[inc.Metric] == rule {
					found[inc.Metric] = true
				}
			}
		}
		if !in {
			t.Errorf("alert outside every planted incident: %s", sc.Text())
		}
	}
	for _, inc := range incidents {
		if !found[inc.Metric] {
			t.Errorf("%s (%s from %s) raised no alert in rule %s; backtest said:\n%s", inc.Metric, inc.Effect, inc.Start, watcher[inc.Metric], out)
		}
	}
}
