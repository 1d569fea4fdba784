// Package webhook delivers alerts as a JSON POST to a URL.
//
// # Request
//
// Each delivery is one POST with these headers:
//
//	Content-Type: application/json
//	User-Agent: vigil/<version>
//	Idempotency-Key: <key>
//
// plus the headers configured in Options.Headers. The key is the alert's
// notifiers.Alert.DeliveryKey, the same across retries and across restarts
// of vigil (a key that is not short printable ASCII is sent as a hash of
// itself, just as stable). Receivers must deduplicate on it: vigil cannot
// ask a webhook whether a delivery arrived, so after a crash between
// sending and recording it sends the delivery again with the same key.
//
// # Answers
//
//   - 2xx: delivered.
//   - 429: rate limited; Notify returns retry=true and a
//     *notifiers.RetryAfterError with the delay of the Retry-After header
//     (seconds or an HTTP date; DefaultRetryAfter when absent or unreadable;
//     at most a day).
//   - 408, 5xx, network errors and timeouts: retry=true.
//   - 3xx: permanent; redirects are not followed.
//   - other 4xx: permanent, with the first 200 bytes of the body in the error.
//
// Errors show the URL as scheme://host only: webhook paths and queries
// often hold a token. Parts of the URL echoed in a response body are shown
// as <secret>.
//
// # Payload (version 1)
//
// Fields are always present, in this order; numbers that are undefined
// (NaN) or infinite are null. Fields may be added without a version change;
// removing one or changing its meaning raises version.
//
//	version      1
//	key          the idempotency key, as in the Idempotency-Key header
//	id           the incident: rule plus series; the same while it lasts
//	state        "firing" or "resolved"
//	rule         the metric's name
//	description  the metric's description
//	owner        who owns the rule, e.g. "@growth-oncall"
//	runbook      a link, or ""
//	unit         the value's unit ("$", "ms", "%"), or ""
//	method       the detection method, e.g. "seasonal (weekly, 8 seasons)"
//	sensitivity  "low", "medium" or "high"
//	time         start of the judged bucket, RFC 3339 in UTC
//	timezone     IANA name of the zone the rule's days are counted in
//	granularity  bucket width in seconds
//	value        the bucket's value
//	expected     the expected value
//	lower        lower end of the expected band (null: unbounded)
//	upper        upper end of the expected band (null: unbounded)
//	change       (value - expected) / |expected|; null when expected is 0
//	score        how surprising the value is, in [0, 1)
//	direction    "up" or "down"
//	reason       one line in plain words
//	query        the SQL that produced the series
//	history      recent buckets: [{time, value, expected, lower, upper}]
//	explanation  the drill-down (contributors and sentence) as vigil's
//	             explain produced it; absent when there is none
//	explanation_error  present instead when the drill-down could not be
//	             encoded
//
// testdata/payload.golden holds a complete example.
package webhook
