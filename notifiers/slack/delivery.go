package slack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// Clock is the notifier's and the listener's time: Now for timestamps and
// look-back windows, Sleep for waits between retries. Tests pass a fake.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real Clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done, returning ctx's error then.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error { return notifiers.Sleep(ctx, d) }

// RetryAfterError says Slack rate-limited a call and asked to wait Delay
// before trying again. Notify returns it with retry=true when the wait is
// longer than it may wait itself, or when its attempts ran out.
type RetryAfterError struct {
	Delay time.Duration
	Err   error
}

// Error says what was limited and for how long.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.Delay)
}

// Unwrap returns the underlying error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError is a failure that trying again cannot fix: a bad token, a
// missing channel, a rejected payload. Hint says how to fix it.
type PermanentError struct {
	Code string // Slack's error code, e.g. "channel_not_found"
	Hint string
	Err  error
}

// Error is the code and the hint.
func (e *PermanentError) Error() string {
	if e.Hint == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Hint
}

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Retryable says whether a delivery that failed with err may succeed when
// tried again later: anything but a PermanentError or a cancellation.
func Retryable(err error) bool {
	var p *PermanentError
	return err != nil && !errors.As(err, &p) && !errors.Is(err, context.Canceled)
}

// RetryPolicy bounds the retries of one Slack call within one Notify.
type RetryPolicy struct {
	Attempts     int           // calls in all, the first included; default 4
	MinBackoff   time.Duration // first wait after a 5xx or network error; default 500ms
	MaxBackoff   time.Duration // longest such wait; default 8s
	MaxRateLimit time.Duration // longest Retry-After waited for in place; default 30s
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 4
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 500 * time.Millisecond
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = max(8*time.Second, p.MinBackoff)
	}
	if p.MaxRateLimit <= 0 {
		p.MaxRateLimit = 30 * time.Second
	}
	return p
}

// backoff is the wait before retry k (1-based): exponential, capped, with
// equal jitter in [d/2, d] so that notifiers do not retry in lockstep.
func (p RetryPolicy) backoff(k int, jitter func() float64) time.Duration {
	d := p.MinBackoff << min(k-1, 20)
	if d > p.MaxBackoff || d <= 0 {
		d = p.MaxBackoff
	}
	return d/2 + time.Duration(jitter()*float64(d/2))
}

// kind is how a failed call should be handled.
type kind int

const (
	transient kind = iota
	rateLimited
	permanent
	canceled
)

// call runs fn, retrying rate limits, 5xx and network errors within the
// policy. method names the call in errors and logs.
func (n *Notifier) call(ctx context.Context, method string, fn func(context.Context) error) error {
	var last string
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		k, wait := classify(err)
		err = fmt.Errorf("slack %s: %w", method, err)
		switch {
		case k == permanent:
			return permanentError(err)
		case k == canceled:
			return err
		case k == rateLimited && (wait > n.retry.MaxRateLimit || attempt >= n.retry.Attempts):
			return &RetryAfterError{Delay: wait, Err: err}
		case attempt >= n.retry.Attempts:
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		case k != rateLimited:
			wait = n.retry.backoff(attempt, n.jitter)
		}
		if msg := err.Error(); msg != last {
			n.log.Warn("slack call failed, retrying", "method", method, "attempt", attempt, "wait", wait, "err", n.redact(err))
			last = msg
		}
		if serr := n.clock.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (while waiting to retry: %v)", err, serr)
		}
	}
}

// classify sorts an error of slack-go: a 429 with its wait, a cancellation,
// a permanent Slack error, or something worth retrying.
func classify(err error) (kind, time.Duration) {
	var rl *slackgo.RateLimitedError
	var status slackgo.StatusCodeError
	var resp slackgo.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		return rateLimited, max(rl.RetryAfter, time.Second)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return canceled, 0
	case errors.As(err, &status):
		if status.Code >= 500 || status.Code == http.StatusTooManyRequests {
			return transient, 0
		}
		return permanent, 0
	case errors.As(err, &resp):
		if transientCodes[resp.Err] {
			return transient, 0
		}
		return permanent, 0
	}
	return transient, 0 // network errors: refused, reset, timeouts, EOF
}

// transientCodes are Slack error codes that may pass on their own.
var transientCodes = map[string]bool{
	"ratelimited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "team_added_to_org": true,
}

// hints say how to fix Slack's permanent errors.
var hints = map[string]string{
	"channel_not_found":       "the channel does not exist or the app cannot see it: check the channel in the config, and invite the app to private channels",
	"not_in_channel":          "the app is not a member of the channel: invite it with /invite @vigil",
	"is_archived":             "the channel is archived: unarchive it or route the alerts elsewhere",
	"channel_is_archived":     "the channel is archived: unarchive it or route the alerts elsewhere",
	"invalid_auth":            "the bot token is not valid: set SLACK_BOT_TOKEN to the app's bot token (xoxb-…)",
	"not_authed":              "no bot token was sent: set SLACK_BOT_TOKEN",
	"account_inactive":        "the token belongs to a deleted user or a removed app: reinstall the app and update SLACK_BOT_TOKEN",
	"token_revoked":           "the token was revoked: reinstall the app and update SLACK_BOT_TOKEN",
	"token_expired":           "the token expired: refresh it and update SLACK_BOT_TOKEN",
	"missing_scope":           "the app lacks an OAuth scope: add it to the app (see deploy/slack-app-manifest.yaml) and reinstall",
	"no_permission":           "the token may not do this here: check the app's scopes and the workspace's restrictions",
	"restricted_action":       "a workspace preference stops the app from posting in this channel",
	"invalid_blocks":          "Slack rejected the message's blocks",
	"msg_too_long":            "Slack rejected the message as too long",
	"message_not_found":       "the message to update is gone",
	"cant_update_message":     "the message was not posted by this app",
	"invalid_metadata_format": "Slack rejected the message metadata",
}

// permanentError wraps err with Slack's code and a hint on fixing it.
func permanentError(err error) error {
	code := ""
	var resp slackgo.SlackErrorResponse
	var status slackgo.StatusCodeError
	switch {
	case errors.As(err, &resp):
		code = resp.Err
		hint := hints[code]
		if code == "missing_scope" && resp.Needed != "" {
			hint += " (needed: " + resp.Needed + ")"
		}
		details := resp.ResponseMetadata.Messages
		for _, e := range resp.Errors {
			if e.Message != nil {
				details = append(details, *e.Message)
			}
		}
		if len(details) > 0 {
			hint = strings.TrimSpace(hint + ": " + strings.Join(details, "; "))
		}
		return &PermanentError{Code: code, Hint: hint, Err: err}
	case errors.As(err, &status):
		return &PermanentError{Code: status.Status, Hint: "check the Slack API URL", Err: err}
	}
	return &PermanentError{Err: err}
}

// defaultJitter draws the backoff jitter.
func defaultJitter() float64 { return rand.Float64() }
