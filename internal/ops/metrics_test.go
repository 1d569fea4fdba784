package ops

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

var wantMetrics = []string{
	"vigil_alerts_firing",
	"vigil_build_info",
	"vigil_config_last_reload_success_timestamp_seconds",
	"vigil_config_last_reload_successful",
	"vigil_config_reloads_total",
	"vigil_deliveries_total",
	"vigil_delivery_failures_total",
	"vigil_delivery_queue_pending",
	"vigil_evaluation_duration_seconds",
	"vigil_evaluations_total",
	"vigil_incidents_opened_total",
	"vigil_incidents_resolved_total",
	"vigil_last_successful_evaluation_timestamp_seconds",
	"vigil_query_duration_seconds",
	"vigil_query_errors_total",
	"vigil_rule_consecutive_failures",
	"vigil_rules",
}

// newTestMetrics returns metrics on a registry of their own with a clock
// that reads at.
func newTestMetrics(t *testing.T, at time.Time) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := NewRegistry()
	m := NewMetrics(reg)
	m.now = func() time.Time { return at }
	return m, reg
}

func gather(t *testing.T, reg prometheus.Gatherer) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// record touches every metric once for rule, source and notifier.
func record(m *Metrics, rule, source, notifier string) {
	m.AddRule(rule)
	m.AddNotifier(notifier)
	m.ObserveEvaluation(rule, ResultAnomaly, 300*time.Millisecond)
	m.QueryError(rule, source)
	m.ObserveQuery(source, 120*time.Millisecond)
	m.SetFiring(rule, 2)
	m.IncidentOpened(rule)
	m.IncidentResolved(rule)
	m.Delivery(notifier, DeliverySent)
	m.DeliveryFailure(notifier, "timeout")
	m.SetQueuePending(3)
	m.Reload(true, time.Unix(1700000000, 0))
	m.SetRules(5)
}

func TestMetricsNamesAndHelp(t *testing.T) {
	m, reg := newTestMetrics(t, time.Unix(1700000000, 0))
	record(m, "orders", "warehouse", "growth")
	fams := gather(t, reg)

	var got []string
	for name, mf := range fams {
		if !strings.HasPrefix(name, "vigil_") {
			continue
		}
		got = append(got, name)
		help := mf.GetHelp()
		if len(help) < 20 || !strings.HasSuffix(help, ".") {
			t.Errorf("%s help = %q, want a sentence an operator can read", name, help)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, wantMetrics) {
		t.Errorf("vigil metrics = %v\nwant %v", got, wantMetrics)
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if fams[name] == nil {
			t.Errorf("registry lacks %s from the Go/process collectors", name)
		}
	}
	def := gather(t, prometheus.DefaultGatherer)
	for name := range def {
		if strings.HasPrefix(name, "vigil_") {
			t.Errorf("%s is on the global default registry", name)
		}
	}
}

func TestObserveEvaluation(t *testing.T) {
	at := time.Unix(1700000000, 500_000_000)
	tests := []struct {
		name         string
		results      []string
		wantCounts   map[string]float64
		wantFailures float64
		wantLastOK   float64
	}{
		{
			name:       "never run",
			wantCounts: map[string]float64{ResultOK: 0, ResultAnomaly: 0, ResultError: 0, ResultNoData: 0},
		},
		{
			name:         "failures in a row",
			results:      []string{ResultOK, ResultError, ResultError, ResultError},
			wantCounts:   map[string]float64{ResultOK: 1, ResultError: 3},
			wantFailures: 3,
			wantLastOK:   1700000000.5,
		},
		{
			name:       "a success resets the failures",
			results:    []string{ResultError, ResultError, ResultAnomaly},
			wantCounts: map[string]float64{ResultError: 2, ResultAnomaly: 1},
			wantLastOK: 1700000000.5,
		},
		{
			name:       "no data is a successful run",
			results:    []string{ResultError, ResultNoData},
			wantCounts: map[string]float64{ResultError: 1, ResultNoData: 1},
			wantLastOK: 1700000000.5,
		},
		{
			name:         "an unknown result counts as an error",
			results:      []string{"timeout"},
			wantCounts:   map[string]float64{ResultError: 1},
			wantFailures: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, reg := newTestMetrics(t, at)
			m.AddRule("orders")
			for _, r := range tt.results {
				m.ObserveEvaluation("orders", r, 2*time.Second)
			}
			if n := testutil.CollectAndCount(m.evaluations); n != len(evaluationResults) {
				t.Errorf("evaluations has %d series, want %d", n, len(evaluationResults))
			}
			for result, want := range tt.wantCounts {
				if got := testutil.ToFloat64(m.evaluations.WithLabelValues("orders", result)); got != want {
					t.Errorf("evaluations{result=%q} = %v, want %v", result, got, want)
				}
			}
			if got := testutil.ToFloat64(m.consecutiveFailures.WithLabelValues("orders")); got != tt.wantFailures {
				t.Errorf("consecutive failures = %v, want %v", got, tt.wantFailures)
			}
			if tt.wantLastOK != 0 {
				if got := testutil.ToFloat64(m.lastEvaluationOK.WithLabelValues("orders")); got != tt.wantLastOK {
					t.Errorf("last successful evaluation = %v, want %v", got, tt.wantLastOK)
				}
			}
			h := gather(t, reg)["vigil_evaluation_duration_seconds"].GetMetric()[0].GetHistogram()
			if got, want := h.GetSampleCount(), uint64(len(tt.results)); got != want {
				t.Errorf("duration samples = %d, want %d", got, want)
			}
			if got, want := h.GetSampleSum(), 2*float64(len(tt.results)); got != want {
				t.Errorf("duration sum = %v, want %v", got, want)
			}
		})
	}
}

func TestReload(t *testing.T) {
	m, reg := newTestMetrics(t, time.Time{})
	const before = `
# HELP vigil_config_last_reload_successful 1 if the last configuration load succeeded, 0 if it failed and vigil is running on the previous configuration.
# TYPE vigil_config_last_reload_successful gauge
vigil_config_last_reload_successful 0
# HELP vigil_config_reloads_total Configuration loads by result; on failure the previous configuration stays in force.
# TYPE vigil_config_reloads_total counter
vigil_config_reloads_total{result="failure"} 0
vigil_config_reloads_total{result="success"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(before),
		"vigil_config_last_reload_successful", "vigil_config_reloads_total"); err != nil {
		t.Errorf("before any load: %v", err)
	}
	m.Reload(true, time.Unix(1700000000, 0))
	m.Reload(false, time.Unix(1700000600, 0))
	const after = `
# HELP vigil_config_last_reload_success_timestamp_seconds Unix time of the last successful configuration load.
# TYPE vigil_config_last_reload_success_timestamp_seconds gauge
vigil_config_last_reload_success_timestamp_seconds 1.7e+09
# HELP vigil_config_last_reload_successful 1 if the last configuration load succeeded, 0 if it failed and vigil is running on the previous configuration.
# TYPE vigil_config_last_reload_successful gauge
vigil_config_last_reload_successful 0
# HELP vigil_config_reloads_total Configuration loads by result; on failure the previous configuration stays in force.
# TYPE vigil_config_reloads_total counter
vigil_config_reloads_total{result="failure"} 1
vigil_config_reloads_total{result="success"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(after),
		"vigil_config_last_reload_success_timestamp_seconds",
		"vigil_config_last_reload_successful", "vigil_config_reloads_total"); err != nil {
		t.Errorf("after a good then a bad load: %v", err)
	}
	m.Reload(true, time.Unix(1700001200, 0))
	if got := testutil.ToFloat64(m.lastReloadOK); got != 1 {
		t.Errorf("last reload successful = %v after a good load, want 1", got)
	}
}

func TestDelivery(t *testing.T) {
	m, _ := newTestMetrics(t, time.Time{})
	m.AddNotifier("growth")
	for _, r := range []string{DeliverySent, DeliverySent, DeliveryRetried, DeliverySkipped, "bogus"} {
		m.Delivery("growth", r)
	}
	want := map[string]float64{DeliverySent: 2, DeliveryRetried: 1, DeliverySkipped: 1, DeliveryFailed: 1}
	for r, w := range want {
		if got := testutil.ToFloat64(m.deliveries.WithLabelValues("growth", r)); got != w {
			t.Errorf("deliveries{result=%q} = %v, want %v", r, got, w)
		}
	}
	if n := testutil.CollectAndCount(m.deliveries); n != 4 {
		t.Errorf("deliveries has %d series, want 4 (no series for an unknown result)", n)
	}
}

// seriesWith counts the series of vigil_* families that carry label=value.
func seriesWith(t *testing.T, reg prometheus.Gatherer, label, value string) int {
	t.Helper()
	n := 0
	for name, mf := range gather(t, reg) {
		if !strings.HasPrefix(name, "vigil_") {
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, lp := range s.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					n++
				}
			}
		}
	}
	return n
}

func TestForget(t *testing.T) {
	m, reg := newTestMetrics(t, time.Unix(1700000000, 0))
	record(m, "orders", "warehouse", "growth")
	record(m, "signups", "local", "stdout")

	tests := []struct {
		name        string
		forget      func()
		label, gone string
		kept        string
	}{
		{name: "rule", forget: func() { m.ForgetRule("orders") }, label: "rule", gone: "orders", kept: "signups"},
		{name: "source", forget: func() { m.ForgetSource("warehouse") }, label: "source", gone: "warehouse", kept: "local"},
		{name: "notifier", forget: func() { m.ForgetNotifier("growth") }, label: "notifier", gone: "growth", kept: "stdout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := seriesWith(t, reg, tt.label, tt.gone); n == 0 {
				t.Fatalf("no series with %s=%q before forgetting it", tt.label, tt.gone)
			}
			keptBefore := seriesWith(t, reg, tt.label, tt.kept)
			tt.forget()
			if n := seriesWith(t, reg, tt.label, tt.gone); n != 0 {
				t.Errorf("%d series with %s=%q left after forgetting it", n, tt.label, tt.gone)
			}
			if n := seriesWith(t, reg, tt.label, tt.kept); n != keptBefore {
				t.Errorf("series with %s=%q = %d after forgetting another, want %d", tt.label, tt.kept, n, keptBefore)
			}
		})
	}
}

func TestBuildInfo(t *testing.T) {
	m, reg := newTestMetrics(t, time.Time{})
	m.SetBuildInfo("v1.2.3")
	want := `
# HELP vigil_build_info Always 1; the labels tell the vigil version and the Go version it was built with.
# TYPE vigil_build_info gauge
vigil_build_info{goversion="` + runtime.Version() + `",version="v1.2.3"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vigil_build_info"); err != nil {
		t.Error(err)
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	// Every method must be a no-op on nil rather than panic.
	record(m, "orders", "warehouse", "growth")
	m.ForgetRule("orders")
	m.ForgetSource("warehouse")
	m.ForgetNotifier("growth")
	m.SetBuildInfo("v1")
}

func TestNewMetricsUnregistered(t *testing.T) {
	m := NewMetrics(nil)
	record(m, "orders", "warehouse", "growth")
	if got := testutil.ToFloat64(m.rules); got != 5 {
		t.Errorf("rules = %v, want 5", got)
	}
}

func TestRecorders(t *testing.T) {
	tests := []struct {
		name   string
		record func(m *Metrics)
		metric func(m *Metrics) prometheus.Collector
		want   float64
	}{
		{name: "query errors", record: func(m *Metrics) { m.QueryError("orders", "warehouse"); m.QueryError("orders", "warehouse") },
			metric: func(m *Metrics) prometheus.Collector { return m.queryErrors.WithLabelValues("orders", "warehouse") }, want: 2},
		{name: "firing", record: func(m *Metrics) { m.SetFiring("orders", 3); m.SetFiring("orders", 1) },
			metric: func(m *Metrics) prometheus.Collector { return m.alertsFiring.WithLabelValues("orders") }, want: 1},
		{name: "incidents opened", record: func(m *Metrics) { m.IncidentOpened("orders") },
			metric: func(m *Metrics) prometheus.Collector { return m.incidentsOpened.WithLabelValues("orders") }, want: 1},
		{name: "incidents resolved", record: func(m *Metrics) { m.IncidentResolved("orders"); m.IncidentResolved("orders") },
			metric: func(m *Metrics) prometheus.Collector { return m.incidentsResolved.WithLabelValues("orders") }, want: 2},
		{name: "delivery failures", record: func(m *Metrics) { m.DeliveryFailure("growth", "rate_limited") },
			metric: func(m *Metrics) prometheus.Collector {
				return m.deliveryFailures.WithLabelValues("growth", "rate_limited")
			}, want: 1},
		{name: "queue", record: func(m *Metrics) { m.SetQueuePending(7) },
			metric: func(m *Metrics) prometheus.Collector { return m.deliveryQueue }, want: 7},
		{name: "rules", record: func(m *Metrics) { m.SetRules(12) },
			metric: func(m *Metrics) prometheus.Collector { return m.rules }, want: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestMetrics(t, time.Time{})
			tt.record(m)
			if got := testutil.ToFloat64(tt.metric(m)); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestObserveQuery(t *testing.T) {
	m, reg := newTestMetrics(t, time.Time{})
	m.ObserveQuery("warehouse", 40*time.Millisecond)
	m.ObserveQuery("warehouse", 3*time.Second)
	h := gather(t, reg)["vigil_query_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() != 3.04 {
		t.Errorf("query duration count %d sum %v, want 2 and 3.04", h.GetSampleCount(), h.GetSampleSum())
	}
	for _, b := range h.GetBucket() {
		want := uint64(0)
		switch {
		case b.GetUpperBound() >= 3:
			want = 2
		case b.GetUpperBound() >= 0.04:
			want = 1
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v holds %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
}
