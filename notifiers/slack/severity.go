package slack

import "math"

// Severity ranks an alert by how far it is from normal, for people and for
// routing (Options.ChannelBySeverity).
type Severity string

// Severities, from the least to the most severe.
const (
	Minor    Severity = "minor"
	Major    Severity = "major"
	Critical Severity = "critical"
)

// Score bounds of the severities. A detector's score is |z|/(|z|+4): 0.5
// at the medium threshold |z|=4, 0.6 at |z|=6, 0.75 at |z|=12. An alert
// fires at its rule's threshold, so Minor is a move just past it, Major
// one at least one and a half times the medium threshold, and Critical one
// at least three times it.
const (
	majorScore    = 0.6
	criticalScore = 0.75
)

// SeverityOf maps a detector score in [0,1] to a severity. An alert without
// a score (NaN), such as missing data, is Major: nobody can tell how bad it
// is until data arrives.
func SeverityOf(score float64) Severity {
	switch {
	case math.IsNaN(score):
		return Major
	case score >= criticalScore:
		return Critical
	case score >= majorScore:
		return Major
	}
	return Minor
}

// Label is the severity as a word for a message: "Minor", "Major",
// "Critical".
func (s Severity) Label() string {
	switch s {
	case Critical:
		return "Critical"
	case Major:
		return "Major"
	}
	return "Minor"
}
