package ruletest

import (
	"testing"
)

// ordersSegments is orders by country and platform from 2024-03-01 00:00
// UTC, judged against the hour before: BR android falls at 01:00 (170 to
// 125 in all), US android at 02:00 (125 to 65), and 03:00 stays at 65. An
// evaluation at 03:05 judges 01:00.
const ordersSegments = `    start: 2024-03-01T00:00:00Z
    series:
      orders:
        segments:
          - {country: BR, platform: android, values: "50 5x2"}
          - {country: BR, platform: ios, values: "30x3"}
          - {platform: android, country: US, values: "70x1 10x1"}
          - {country: US, platform: ios, values: "20x3"}
`

func TestContributor(t *testing.T) {
	tests := []struct {
		name     string
		test     string
		wantDiff string
		wantErr  string
	}{
		{name: "top contributor passes", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - at: 2024-03-01T02:05:00Z
      - at: 2024-03-01T03:05:00Z
        alerts:
          - {metric: orders, direction: down, value: [125, 125], contributor: {country: BR, platform: android}, share: [0.95, 1.05]}
`},
		{name: "every evaluation's alert is explained", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, contributor: {platform: android, country: BR}}]}
      - {at: 2024-03-01T04:05:00Z, alerts: [{metric: orders, contributor: {platform: android, country: US}}]}
      - {at: 2024-03-01T05:05:00Z}
`},
		{name: "segments without expectations on contributors", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, direction: down}]}
`},
		{name: "wrong contributor shows the top ones", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, contributor: {country: US}}]}
`, wantDiff: "- want orders, top contributor country=US\n" +
			"  + got  orders, down, at bucket 2024-03-01T01:00:00Z, value 125, expected 170 (band 136 to 204)\n" +
			"         top contributors (explained): country=BR, platform=android (share 1.00)"},
		{name: "a broader segment is not the one wanted", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, contributor: {country: BR}}]}
`, wantDiff: "- want orders, top contributor country=BR"},
		{name: "share out of range", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, contributor: {country: BR, platform: android}, share: [0.2, 0.5]}]}
`, wantDiff: "share in [0.2, 0.5]"},
		{name: "ratio segments", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series:
      conv:
        segments:
          - {country: BR, platform: android, values: "0.04 0", weights: "2000x1"}
          - {country: BR, platform: ios, values: "0.04x1", weights: "1000x1"}
          - {country: US, platform: android, values: "0.04x1", weights: "1000x1"}
          - {country: US, platform: ios, values: "0.04x1", weights: "1000x1"}
    evals:
      - at: 2024-03-01T03:05:00Z
        alerts:
          - {metric: conv, direction: down, value: [0.0239, 0.0241], contributor: {country: BR, platform: android}, share: [0.9, 1.1]}
`},
		{name: "unknown dimension", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series:
      orders:
        segments:
          - {country: BR, platfrom: android, values: "1"}
    evals: [{at: 2024-03-01T03:05:00Z}]
`, wantErr: `r_test.yaml:7:27: series "orders": segments[0]: "platfrom" is not a dimension of metric "orders" (its dimensions: country, platform, channel)`},
		{name: "segments of a metric without dimensions", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series:
      latency: {segments: [{country: BR, values: "1"}]}
    evals: [{at: 2024-03-01T03:05:00Z}]
`, wantErr: `r_test.yaml:5:29: series "latency": segments[0]: "country" is not a dimension of metric "latency", which lists none`},
		{name: "contributor by a dimension the segments leave out", test: `tests:
  - name: t
` + ordersSegments + `    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, contributor: {channel: web}}]}
`, wantErr: `r_test.yaml:12:76: eval at 2024-03-01T03:05:00Z: contributor: "channel" is not a dimension the segments of "orders" give (they give country, platform)`},
		{name: "contributor without segments", test: `tests:
  - name: t
    start: 2024-03-01T00:00:00Z
    series:
      orders: {values: "150 100"}
    evals:
      - {at: 2024-03-01T03:05:00Z, alerts: [{metric: orders, contributor: {country: BR}}]}
`, wantErr: `r_test.yaml:7:75: eval at 2024-03-01T03:05:00Z: contributor: the test gives no segments for "orders"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRun(t, tt.test, "", tt.wantDiff, tt.wantErr)
		})
	}
}
