package methods

import (
	"testing"
	"time"

	"vigil/config"
)

func calendarOf(t *testing.T, tz string, mutes []config.Mute, holidays ...string) calendar {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCalendar(config.Metric{Timezone: tz, Location: loc, Detect: config.Detect{Mute: mutes, Holidays: holidays}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(tz, s string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMuteWindows(t *testing.T) {
	const berlin = "Europe/Berlin"
	tests := []struct {
		name     string
		tz       string
		schedule string
		dur      time.Duration
		t        time.Time
		want     bool
	}{
		{"before", berlin, "0 2 * * *", time.Hour, at(berlin, "2026-11-03 01:59:59"), false},
		{"opening", berlin, "0 2 * * *", time.Hour, at(berlin, "2026-11-03 02:00:00"), true},
		{"inside", berlin, "0 2 * * *", time.Hour, at(berlin, "2026-11-03 02:59:59"), true},
		{"closing", berlin, "0 2 * * *", time.Hour, at(berlin, "2026-11-03 03:00:00"), false},
		{"the metric's zone", berlin, "0 2 * * *", time.Hour, at("UTC", "2026-11-03 02:30:00"), false},
		{"own zone", berlin, "CRON_TZ=UTC 0 2 * * *", time.Hour, at("UTC", "2026-11-03 02:30:00"), true},
		{"own zone, not local", berlin, "CRON_TZ=UTC 0 2 * * *", time.Hour, at(berlin, "2026-11-03 02:30:00"), false},
		{"across midnight", "UTC", "30 23 * * *", time.Hour, at("UTC", "2026-11-04 00:15:00"), true},
		{"after midnight", "UTC", "30 23 * * *", time.Hour, at("UTC", "2026-11-04 00:30:00"), false},
		{"weekdays, Friday", "UTC", "0 9 * * 1-5", 8 * time.Hour, at("UTC", "2026-11-06 16:59:00"), true},
		{"weekdays, Saturday", "UTC", "0 9 * * 1-5", 8 * time.Hour, at("UTC", "2026-11-07 10:00:00"), false},
		{"descriptor", "UTC", "@daily", 30 * time.Minute, at("UTC", "2026-11-07 00:10:00"), true},
		{"windows overlap", "UTC", "*/10 * * * *", 15 * time.Minute, at("UTC", "2026-11-07 13:37:00"), true},
		{"longer than a day", "UTC", "0 0 * * 1", 3 * 24 * time.Hour, at("UTC", "2026-11-04 23:00:00"), true},
		{"longer than a day, after", "UTC", "0 0 * * 1", 3 * 24 * time.Hour, at("UTC", "2026-11-05 00:00:00"), false},
		{"clocks go back", berlin, "30 2 * * *", 30 * time.Minute, at("UTC", "2026-10-25 00:45:00"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calendarOf(t, tt.tz, []config.Mute{{Schedule: tt.schedule, Duration: tt.dur}})
			if got := c.inWindow(tt.t); got != tt.want {
				t.Errorf("inWindow(%s) = %v, want %v", tt.t, got, tt.want)
			}
			if got := c.muted()(tt.t); got != tt.want {
				t.Errorf("muted(%s) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

// TestMuteWindowsAgainstStarts compares inWindow minute by minute over two
// weeks with the windows written out from every start of the schedules.
func TestMuteWindowsAgainstStarts(t *testing.T) {
	mutes := []config.Mute{
		{Schedule: "15 */5 * * 2,4", Duration: 95 * time.Minute},
		{Schedule: "0 22 * * 0", Duration: 26 * time.Hour},
		{Schedule: "*/7 3 * * *", Duration: 3 * time.Minute},
	}
	const tz = "America/New_York" // crosses the end of daylight saving on 2026-11-01
	c := calendarOf(t, tz, mutes)
	from, to := at(tz, "2026-10-25 00:00:00"), at(tz, "2026-11-08 00:00:00")
	type span struct{ a, b time.Time }
	var spans []span
	for i, w := range c.windows {
		for s := w.sched.Next(from.Add(-mutes[i].Duration)); s.Before(to); s = w.sched.Next(s) {
			spans = append(spans, span{s, s.Add(mutes[i].Duration)})
		}
	}
	for tm := from; tm.Before(to); tm = tm.Add(time.Minute) {
		want := false
		for _, sp := range spans {
			if !tm.Before(sp.a) && tm.Before(sp.b) {
				want = true
				break
			}
		}
		if got := c.inWindow(tm); got != want {
			t.Fatalf("inWindow(%s) = %v, want %v", tm, got, want)
		}
	}
}

func TestHolidays(t *testing.T) {
	const berlin = "Europe/Berlin"
	c := calendarOf(t, berlin, nil, "2026-12-25", "2026-03-29")
	tests := []struct {
		t    time.Time
		want bool
	}{
		{at("UTC", "2026-12-24 22:59:59"), false},
		{at("UTC", "2026-12-24 23:00:00"), true}, // midnight in Berlin
		{at(berlin, "2026-12-25 23:59:59"), true},
		{at("UTC", "2026-12-25 23:30:00"), false}, // the 26th in Berlin
		{at(berlin, "2026-03-29 03:30:00"), true}, // the day the clocks go forward
		{at(berlin, "2026-03-30 00:00:00"), false},
	}
	for _, tt := range tests {
		if got := c.holiday(tt.t); got != tt.want {
			t.Errorf("holiday(%s) = %v, want %v", tt.t, got, tt.want)
		}
		if got := c.muted()(tt.t); got != tt.want {
			t.Errorf("muted(%s) = %v, want %v", tt.t, got, tt.want)
		}
	}
	if f := calendarOf(t, "UTC", nil).muted(); f != nil {
		t.Errorf("muted() without windows or holidays is not nil")
	}
}

func TestExclusions(t *testing.T) {
	c := calendarOf(t, "UTC", []config.Mute{{Schedule: "0 2 * * *", Duration: time.Hour}}, "2026-11-04")
	incident := func(b time.Time) bool { return b.Equal(at("UTC", "2026-11-03 10:00:00")) }
	feedback := func(b time.Time) bool { return b.Equal(at("UTC", "2026-11-03 11:00:00")) }
	o := options{incidents: incident, feedback: feedback}
	times := map[string]time.Time{
		"mute": at("UTC", "2026-11-03 02:00:00"), "holiday": at("UTC", "2026-11-04 12:00:00"),
		"incident": at("UTC", "2026-11-03 10:00:00"), "feedback": at("UTC", "2026-11-03 11:00:00"),
		"none": at("UTC", "2026-11-03 12:00:00"),
	}
	all := config.Exclude{Incidents: true, Feedback: true, Mutes: true, Holidays: true}
	tests := []struct {
		name     string
		e        config.Exclude
		excluded []string
	}{
		{"all", all, []string{"mute", "holiday", "incident", "feedback"}},
		{"no mutes", config.Exclude{Incidents: true, Feedback: true, Holidays: true}, []string{"holiday", "incident", "feedback"}},
		{"no holidays", config.Exclude{Incidents: true, Feedback: true, Mutes: true}, []string{"mute", "incident", "feedback"}},
		{"incidents only", config.Exclude{Incidents: true}, []string{"incident"}},
		{"feedback only", config.Exclude{Feedback: true}, []string{"feedback"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := exclusions(tt.e, c, o)
			for name, tm := range times {
				want := false
				for _, x := range tt.excluded {
					want = want || x == name
				}
				if got := f(tm); got != want {
					t.Errorf("excluded(%s) = %v, want %v", name, got, want)
				}
			}
		})
	}
	if f := exclusions(config.Exclude{}, c, o); f != nil {
		t.Errorf("exclusions(none) is not nil")
	}
	if f := exclusions(all, calendar{}, options{}); f != nil {
		t.Errorf("exclusions(all) with nothing to exclude is not nil")
	}
}
