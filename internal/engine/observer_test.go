package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"vigil/notifiers"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestFailureReason(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		retry bool
		want  string
	}{
		{"marked permanent", notifiers.Permanent(errors.New("channel_not_found")), true, "rejected"},
		{"not to be retried", errors.New("invalid_auth"), false, "rejected"},
		{"rate limited", fmt.Errorf("post: %w", &notifiers.RetryAfterError{Delay: time.Second, Err: errors.New("429")}), true, "rate_limited"},
		{"deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), true, "timeout"},
		{"network timeout", fmt.Errorf("dial: %w", timeoutErr{}), true, "timeout"},
		{"server error", errors.New("status 502"), true, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failureReason(tt.err, tt.retry); got != tt.want {
				t.Errorf("failureReason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
