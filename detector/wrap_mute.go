package detector

import "time"

// Mute wraps d so that a point whose bucket is muted (a mute window, a
// holiday) never alerts. The verdict is kept otherwise, with its band,
// score and direction, so analysts still see what happened; the Reason of
// a silenced anomaly reads "muted (…)" around d's reason. A nil muted
// returns d itself.
//
// muted receives the bucket's start; it decides itself whether a bucket
// that only overlaps a window counts.
func Mute(d Detector, muted func(bucket time.Time) bool) Detector {
	if muted == nil {
		return d
	}
	return mute{d: d, muted: muted}
}

type mute struct {
	d     Detector
	muted func(time.Time) bool
}

// Detect judges s.Values[from:] with the wrapped detector and silences the
// anomalies in muted buckets.
func (m mute) Detect(s Series, from int) ([]Point, error) {
	pts, err := m.d.Detect(s, from)
	if err != nil {
		return nil, err
	}
	for k := range pts {
		if p := &pts[k]; p.Anomaly && m.muted(p.Time) {
			p.Anomaly = false
			p.Reason = "muted (" + p.Reason + ")"
		}
	}
	return pts, nil
}
