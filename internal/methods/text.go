package methods

import (
	"strconv"
	"strings"
	"time"

	"vigil/config"
)

// sensitivity names the z threshold of a method that has one: the
// sensitivity, or "z 3.5" for an explicit threshold.
func sensitivity(d config.Detect) string {
	if d.Threshold > 0 {
		return "z " + strconv.FormatFloat(d.Threshold, 'g', -1, 64)
	}
	if d.Sensitivity == "" {
		return "medium"
	}
	return d.Sensitivity
}

// sensitivityText is sensitivity for a description: ", medium
// sensitivity" or ", z threshold 3.5".
func sensitivityText(d config.Detect) string {
	if d.Threshold > 0 {
		return ", z threshold " + strconv.FormatFloat(d.Threshold, 'g', -1, 64)
	}
	return ", " + sensitivity(d) + " sensitivity"
}

// guardsText words the shared guards that change what alerts: ", drops
// only, at least 50 off, 3 hours in a row".
func guardsText(d config.Detect, gran time.Duration) string {
	var parts []string
	switch d.Direction {
	case "up":
		parts = append(parts, "rises only")
	case "down":
		parts = append(parts, "drops only")
	}
	if d.Consecutive > 1 {
		parts = append(parts, plural(d.Consecutive, unitWord(gran))+" in a row")
	}
	if d.Missing == "alert" {
		parts = append(parts, "missing data alerts")
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + join(parts)
}

func join(parts []string) string { return strings.Join(parts, ", ") }

// unitWord names one bucket of width g: "hour", "day", "15-minute bucket".
func unitWord(g time.Duration) string {
	n, unit := count(g)
	if n == 1 {
		return unit
	}
	return strconv.FormatInt(n, 10) + "-" + unit + " bucket"
}

// plural writes n things: "1 hour", "3 hours", "2 15-minute buckets".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}

// words writes a duration in its largest whole unit: "6 hours", "1 week",
// "90 minutes".
func words(d time.Duration) string {
	n, unit := count(d)
	return plural(int(n), unit)
}

// count expresses d as a whole number of its largest unit that divides it.
func count(d time.Duration) (int64, string) {
	units := []struct {
		d    time.Duration
		name string
	}{{config.Week, "week"}, {config.Day, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 {
			return int64(d / u.d), u.name
		}
	}
	return int64(d), "nanosecond"
}

// setting writes a number from the config exactly, as the user wrote it:
// "500.5", "0.02", "1000000".
func setting(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// percent writes a fraction from the config as a percentage, exactly to 12
// digits: 0.25 → "25%", 0.125 → "12.5%".
func percent(f float64) string { return strconv.FormatFloat(f*100, 'g', 12, 64) + "%" }
