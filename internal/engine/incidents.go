package engine

import (
	"sync"
	"time"
)

// Change is what a verdict did to a series' incident.
type Change int8

// Changes reported by Incidents.Observe.
const (
	Unchanged Change = iota // still fine, still anomalous, or a stale verdict
	Opened                  // the series became anomalous: notify
	Closed                  // the series recovered
)

// Incidents remembers which series are anomalous, so that a rule notifies
// when its series enters the anomalous state and not again on every
// evaluation while it stays there.
type Incidents interface {
	// Observe records the verdict on the bucket starting at bucket of the
	// series id and reports the change it makes.
	Observe(id string, bucket time.Time, anomalous bool) Change
}

// NewMemoryIncidents returns Incidents kept in memory: a restart forgets
// them, so an incident still open then is notified again.
func NewMemoryIncidents() Incidents {
	return &memoryIncidents{series: map[string]incident{}}
}

type memoryIncidents struct {
	mu     sync.Mutex
	series map[string]incident
}

type incident struct {
	bucket    time.Time // latest bucket observed
	anomalous bool
}

func (m *memoryIncidents) Observe(id string, bucket time.Time, anomalous bool) Change {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev, seen := m.series[id]
	if seen && bucket.Before(prev.bucket) {
		return Unchanged // an older bucket judged late says nothing about now
	}
	m.series[id] = incident{bucket: bucket, anomalous: anomalous}
	switch {
	case anomalous && !prev.anomalous:
		return Opened
	case !anomalous && prev.anomalous:
		return Closed
	}
	return Unchanged
}
