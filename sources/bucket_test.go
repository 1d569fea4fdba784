package sources

import (
	"testing"
	"time"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestFloor(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	kolkata := zone(t, "Asia/Kolkata")
	santiago := zone(t, "America/Santiago")
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		t    time.Time
		gran time.Duration
		loc  *time.Location
		want time.Time
	}{
		{"15m", utc("2024-03-31T01:44:59Z"), 15 * time.Minute, nil, utc("2024-03-31T01:30:00Z")},
		{"on a start", utc("2024-03-31T01:45:00Z"), 15 * time.Minute, nil, utc("2024-03-31T01:45:00Z")},
		{"hour in a half-hour zone stays on UTC hours", utc("2024-03-31T01:44:00Z"), time.Hour, kolkata, utc("2024-03-31T01:00:00Z")},
		{"7h counts from the epoch", utc("1970-01-01T15:00:00Z"), 7 * time.Hour, nil, utc("1970-01-01T14:00:00Z")},
		{"before 1970", utc("1969-12-31T23:59:59Z"), time.Hour, nil, utc("1969-12-31T23:00:00Z")},
		{"36h is not calendar", utc("1970-01-02T13:00:00Z"), 36 * time.Hour, berlin, utc("1970-01-02T12:00:00Z")},
		{"day in UTC", utc("2024-03-31T23:59:59Z"), 24 * time.Hour, time.UTC, utc("2024-03-31T00:00:00Z")},
		{"day in Berlin, late UTC evening is next day", utc("2024-03-30T23:30:00Z"), 24 * time.Hour, berlin, utc("2024-03-30T23:00:00Z")},
		{"day of spring forward starts at CET midnight", utc("2024-03-31T20:00:00Z"), 24 * time.Hour, berlin, utc("2024-03-30T23:00:00Z")},
		{"day after spring forward starts at CEST midnight", utc("2024-04-01T05:00:00Z"), 24 * time.Hour, berlin, utc("2024-03-31T22:00:00Z")},
		{"day of fall back", utc("2024-10-27T22:59:59Z"), 24 * time.Hour, berlin, utc("2024-10-26T22:00:00Z")},
		{"week starts Monday", utc("2024-03-31T12:00:00Z"), 7 * 24 * time.Hour, berlin, utc("2024-03-24T23:00:00Z")},
		{"week on Monday midnight", utc("2024-03-24T23:00:00Z"), 7 * 24 * time.Hour, berlin, utc("2024-03-24T23:00:00Z")},
		{"two days count from Monday 1970-01-05", utc("2024-03-31T12:00:00Z"), 2 * 24 * time.Hour, time.UTC, utc("2024-03-30T00:00:00Z")},
		{"zone that skips midnight", utc("2022-09-11T18:00:00Z"), 24 * time.Hour, santiago, utc("2022-09-11T04:00:00Z")},
		{"zero granularity", utc("2024-03-31T01:44:59Z"), 0, nil, utc("2024-03-31T01:44:59Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Floor(tt.t, tt.gran, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("Floor(%s, %v, %v) = %s, want %s", tt.t, tt.gran, tt.loc, got.UTC(), tt.want.UTC())
			}
		})
	}
}

func TestDays(t *testing.T) {
	tests := []struct {
		gran time.Duration
		want int64
	}{{time.Hour, 0}, {24 * time.Hour, 1}, {36 * time.Hour, 0}, {7 * 24 * time.Hour, 7}, {0, 0}, {-24 * time.Hour, 0}}
	for _, tt := range tests {
		if got := Days(tt.gran); got != tt.want {
			t.Errorf("Days(%v) = %d, want %d", tt.gran, got, tt.want)
		}
	}
}

// FuzzFloor checks Floor's defining properties: the bucket starts at or
// before t, ends after it, and flooring a start gives itself.
func FuzzFloor(f *testing.F) {
	f.Add(int64(1711846800), int64(3600), uint8(0))
	f.Add(int64(1711846800), int64(86400), uint8(1))
	f.Add(int64(-86401), int64(7*86400), uint8(2))
	f.Add(int64(1662868800), int64(86400), uint8(3))
	zones := []string{"UTC", "Europe/Berlin", "Asia/Kolkata", "America/Santiago", "Pacific/Chatham"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = zone(f, z)
	}
	f.Fuzz(func(t *testing.T, secs, gsecs int64, z uint8) {
		if gsecs <= 0 || gsecs > 400*86400 || secs < -1e10 || secs > 1e10 {
			return
		}
		loc := locs[int(z)%len(locs)]
		tm := time.Unix(secs, 0)
		g := time.Duration(gsecs) * time.Second
		start := Floor(tm, g, loc)
		var next time.Time
		if n := Days(g); n > 0 {
			next = DayStart(DayNumber(start, loc)+n, loc)
		} else {
			next = start.Add(g)
		}
		if start.After(tm) || !next.After(tm) {
			t.Fatalf("Floor(%s, %v, %s) = %s: bucket [%s, %s) misses t", tm, g, loc, start, start, next)
		}
		if again := Floor(start, g, loc); !again.Equal(start) {
			t.Fatalf("Floor(Floor(t)) = %s, want %s", again, start)
		}
	})
}
