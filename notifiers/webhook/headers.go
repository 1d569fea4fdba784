package webhook

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reserved are the headers vigil sets itself.
var reserved = []string{"Content-Type", "Content-Length", "Host", "User-Agent", "Idempotency-Key"}

// headers returns the fixed headers of every request: extra, checked, and
// vigil's own. Errors name a header but never show its value.
func headers(extra map[string]string, version string) (http.Header, error) {
	h := http.Header{}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		canon := http.CanonicalHeaderKey(name)
		switch {
		case !isToken(name):
			return nil, fmt.Errorf("header %q: not a valid header name", name)
		case slices.Contains(reserved, canon):
			return nil, fmt.Errorf("header %q: set by vigil; remove it", name)
		case !isValue(extra[name]):
			return nil, fmt.Errorf("header %q: value holds a line break or control character", name)
		}
		h.Set(canon, extra[name])
	}
	if version == "" {
		version = "dev"
	}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "vigil/"+version)
	return h, nil
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// isValue reports whether s may be a header value: no control characters
// other than tab.
func isValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// maxRetryAfter caps a receiver's Retry-After, so that a nonsense value
// cannot overflow or park a delivery for good.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads the delay of a 429 answer from its Retry-After header:
// whole seconds, or an HTTP date taken relative to the answer's Date header
// (now when it has none). A missing or unreadable header gives
// DefaultRetryAfter; a date in the past gives zero.
func retryAfter(h http.Header, now time.Time) time.Duration {
	d, ok := parseRetryAfter(h.Get("Retry-After"), h.Get("Date"), now)
	if !ok {
		return DefaultRetryAfter
	}
	return d
}

func parseRetryAfter(v, date string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil && !isRange(err) {
			return 0, false
		}
		if err != nil || secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if ref, err := http.ParseTime(date); err == nil {
		now = ref
	}
	return min(max(at.Sub(now), 0), maxRetryAfter), true
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
