package sources

import "time"

// Floor returns the start of the bucket of width gran that contains t.
// Placeholder until the sources package lands.
func Floor(t time.Time, gran time.Duration, loc *time.Location) time.Time {
	const day = 24 * time.Hour
	if loc == nil {
		loc = time.UTC
	}
	if gran >= day && gran%day == 0 {
		l := t.In(loc)
		mid := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		days := int64(gran / day)
		epochDay := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
		return mid.AddDate(0, 0, -int(((epochDay%days)+days)%days))
	}
	n, g := t.UnixNano(), int64(gran)
	r := ((n % g) + g) % g
	return time.Unix(0, n-r).UTC()
}
