package slack

import (
	"math"
	"strings"
	"testing"
	"time"

	"vigil/notifiers"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"fits", "orders", 6, "orders"},
		{"cut with ellipsis", "orders fell", 8, "orders…"},
		{"counts characters not bytes", "ÇÇÇÇÇ", 3, "ÇÇ…"},
		{"never inside a link", "see <https://example.com|runbook>", 20, "see…"},
		{"never inside an entity", "a &amp; b", 4, "a…"},
		{"a lone ampersand is text", "a & b c", 5, "a &…"},
		{"one", "orders", 1, "…"},
		{"zero", "orders", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := truncate(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if runeLen(got) > max(tt.n, 0) {
				t.Errorf("truncate(%q, %d) has %d characters", tt.in, tt.n, runeLen(got))
			}
		})
	}
}

func TestDownsample(t *testing.T) {
	dev := make([]float64, 168)
	for i := range dev {
		dev[i] = math.Sin(float64(i))
	}
	dev[77] = -50 // a dip the chart must show
	tests := []struct {
		name       string
		n, keep    int
		mustHave   []int
		wantLength int
	}{
		{"keeps the anomaly and the latest", 168, 167, []int{77, 167}, 20},
		{"keeps an anomaly in the middle", 168, 100, []int{77, 100, 167}, 20},
		{"short series untouched", 12, 11, []int{0, 5, 11}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := downsample(dev[:tt.n], maxChartPoints, tt.keep)
			if len(idx) != tt.wantLength {
				t.Errorf("downsample = %d points, want %d", len(idx), tt.wantLength)
			}
			seen := map[int]bool{}
			for k, i := range idx {
				if k > 0 && i <= idx[k-1] {
					t.Errorf("downsample not increasing: %v", idx)
				}
				seen[i] = true
			}
			for _, i := range tt.mustHave {
				if !seen[i] {
					t.Errorf("downsample = %v, want it to keep %d", idx, i)
				}
			}
		})
	}
}

func TestCategoryLabels(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		n     int
		step  time.Duration
		first string
	}{
		{"hours of one day", 12, time.Hour, "00:00"},
		{"hours over days", 48, time.Hour, "Sun 00:00"},
		{"hours over weeks", 24 * 15, time.Hour, "1 Mar 00:00"},
		{"days", 30, 24 * time.Hour, "Sun 1 Mar"},
		{"days over years", 800, 24 * time.Hour, "1 Mar 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts := make([]notifiers.HistoryPoint, tt.n)
			for i := range pts {
				pts[i].Time = start.Add(time.Duration(i) * tt.step)
			}
			idx := downsample(make([]float64, tt.n), maxChartPoints, tt.n-1)
			labels := categoryLabels(pts, idx, tt.step, time.UTC)
			seen := map[string]bool{}
			for _, l := range labels {
				if seen[l] || runeLen(l) > maxChartLabel || l == "" {
					t.Errorf("label %q duplicate, empty or longer than %d", l, maxChartLabel)
				}
				seen[l] = true
			}
			if labels[0] != tt.first {
				t.Errorf("first label = %q, want %q", labels[0], tt.first)
			}
		})
	}
}

func TestSeverityOf(t *testing.T) {
	tests := []struct {
		name  string
		score float64
		want  Severity
	}{
		{"just past the low threshold", 5.0 / 9, Minor},
		{"medium threshold", 0.5, Minor},
		{"z of 6", 0.6, Major},
		{"z of 12", 0.75, Critical},
		{"no score", math.NaN(), Major},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SeverityOf(tt.score); got != tt.want {
				t.Errorf("SeverityOf(%v) = %s, want %s", tt.score, got, tt.want)
			}
		})
	}
}

func TestWordsAndQuoting(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"hours", words(3 * time.Hour), "3 hours"},
		{"hour and minutes", words(90 * time.Minute), "1 hour 30 minutes"},
		{"days and hours", words(30 * time.Hour), "1 day 6 hours"},
		{"plain word", shellQuote("orders"), "orders"},
		{"spaces", shellQuote("my config.yaml"), "'my config.yaml'"},
		{"quote", shellQuote("it's"), `'it'\''s'`},
		{"mention group", testRenderer().mention("@growth-oncall"), "<!subteam^S0GROWTH>"},
		{"mention user", testRenderer().mention("@finance"), "<@U0FINANCE>"},
		{"unmapped owner", testRenderer().owner("@x<y>"), "@x&lt;y&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestHeadline(t *testing.T) {
	flat := dropAlert()
	flat.Expected, flat.Value = 0, 5
	tests := []struct {
		name  string
		alert notifiers.Alert
		want  string
	}{
		{"drop", dropAlert(), "Completed orders down 27% at 14:00 UTC"},
		{"rise", riseAlert(), "Revenue up 84% at 14:00 UTC"},
		{"no data", freshnessAlert(), "Completed orders: no data for 3 hours"},
		{"resolved", resolvedAlert(), "Resolved: Completed orders back to normal"},
		{"expected zero", flat, "Completed orders below normal at 14:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := headline(tt.alert); got != tt.want {
				t.Errorf("headline = %q, want %q", got, tt.want)
			}
		})
	}
	if s := sentence(longAlert()); !strings.Contains(s, "&lt;fell&gt; &amp;") {
		t.Errorf("sentence does not escape data: %.80q", s)
	}
}
