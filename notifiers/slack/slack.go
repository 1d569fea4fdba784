// Package slack delivers vigil's alerts to Slack as messages a business
// reader understands: a header that states the move, the explanation, the
// numbers, a native chart of actual against expected, the segments behind
// the move, and buttons to acknowledge, snooze or reject the alert.
//
// Each incident gets one thread. Its first message is updated in place as
// the incident evolves and resolves; later events are replies in the
// thread. Every message carries Slack message metadata naming the incident
// and the delivery, so that after a crash between posting and recording a
// message the notifier finds it again instead of posting twice.
//
// Buttons are handled over Socket Mode by a Listener. PostDigest posts a
// summary of many incidents in one channel; the engine collects them and
// posts the digests on the notifier's schedule.
package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"vigil/notifiers"
)

// Options configure a Notifier.
type Options struct {
	// Token is the bot token (xoxb-…), from the environment. It is a
	// secret: it never appears in logs or errors.
	Token string
	// Channel is where alerts go by default: "#growth-alerts" or an ID.
	Channel string
	// ChannelBySeverity routes alerts of a severity ("minor", "major",
	// "critical") elsewhere. A rule's own channel (Alert.Channel) wins.
	ChannelBySeverity map[string]string
	// Mentions maps owner handles ("@growth-oncall") to Slack IDs: a user
	// group ("S123") or a user ("U123"), mentioned in firing alerts.
	Mentions map[string]string
	// Chart is native (default), image or none.
	Chart ChartMode
	// Digest is the cron schedule of the digest, empty for none; the
	// engine reads it, collects the incidents and calls PostDigest.
	Digest string
	// ConfigPath is the config file named in the reproduce command.
	ConfigPath string
	// LookBack bounds the history searched for an incident's message after
	// a restart; default 48h.
	LookBack time.Duration

	// APIURL is Slack's Web API base URL with its trailing slash; tests set
	// it to a fake server. Empty means Slack's.
	APIURL     string
	HTTPClient *http.Client
	// Threads records each incident's thread; default in memory.
	Threads Threads
	Clock   Clock
	Logger  *slog.Logger
	Retry   RetryPolicy
	// Jitter draws the backoff jitter in [0,1); default math/rand.
	Jitter func() float64
}

// String shows the options with the token hidden.
func (o Options) String() string {
	return fmt.Sprintf("slack.Options{Token:%s Channel:%q ChannelBySeverity:%v Chart:%q Digest:%q}",
		secret(o.Token), o.Channel, o.ChannelBySeverity, o.Chart, o.Digest)
}

// GoString is String, so that %#v hides the token too.
func (o Options) GoString() string { return o.String() }

// LogValue logs the options with the token hidden.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token", secret(o.Token)),
		slog.String("channel", o.Channel),
		slog.Any("channel_by_severity", o.ChannelBySeverity),
		slog.String("chart", string(o.Chart)),
	)
}

func secret(s string) string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// Notifier posts alerts to Slack, one thread per incident. It implements
// notifiers.Notifier and notifiers.Prober.
type Notifier struct {
	api      *slackgo.Client
	token    string
	opts     Options
	render   renderer
	threads  Threads
	clock    Clock
	log      *slog.Logger
	retry    RetryPolicy
	jitter   func() float64
	lookBack time.Duration
	channels *channelCache

	teamOnce sync.Once
	team     string // workspace URL from auth.test
}

var (
	_ notifiers.Notifier = (*Notifier)(nil)
	_ notifiers.Prober   = (*Notifier)(nil)
)

// New checks opts and returns a Notifier. It makes no call to Slack; Check
// does.
func New(opts Options) (*Notifier, error) {
	if err := validate(opts); err != nil {
		return nil, err
	}
	if opts.Chart == "" {
		opts.Chart = ChartNative
	}
	n := &Notifier{
		token: opts.Token, opts: opts,
		render:   renderer{mentions: opts.Mentions, configPath: opts.ConfigPath, chart: opts.Chart},
		threads:  opts.Threads,
		clock:    opts.Clock,
		log:      opts.Logger,
		retry:    opts.Retry.withDefaults(),
		jitter:   opts.Jitter,
		lookBack: opts.LookBack,
	}
	if n.threads == nil {
		n.threads = NewMemoryThreads()
	}
	if n.clock == nil {
		n.clock = SystemClock{}
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.jitter == nil {
		n.jitter = defaultJitter
	}
	if n.lookBack <= 0 {
		n.lookBack = 48 * time.Hour
	}
	n.api = slackgo.New(opts.Token, apiOptions(opts.APIURL, opts.HTTPClient)...)
	n.channels = newChannelCache(n)
	return n, nil
}

func apiOptions(apiURL string, hc *http.Client) []slackgo.Option {
	var o []slackgo.Option
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/"
		}
		o = append(o, slackgo.OptionAPIURL(apiURL))
	}
	if hc != nil {
		o = append(o, slackgo.OptionHTTPClient(hc))
	}
	return o
}

// validate reports every problem of opts at once.
func validate(o Options) error {
	var errs []error
	if strings.TrimSpace(o.Token) == "" {
		errs = append(errs, errors.New("token is empty: set it from the environment, e.g. ${SLACK_BOT_TOKEN}"))
	} else if !strings.HasPrefix(o.Token, "xoxb-") {
		errs = append(errs, errors.New("token is not a bot token: want the app's xoxb- token"))
	}
	if o.Channel == "" && len(o.ChannelBySeverity) == 0 {
		errs = append(errs, errors.New("no channel: set channel, or channel_by_severity"))
	}
	for sev, ch := range o.ChannelBySeverity {
		switch Severity(sev) {
		case Minor, Major, Critical:
		default:
			errs = append(errs, fmt.Errorf("channel_by_severity: unknown severity %q: want minor, major or critical", sev))
		}
		if strings.TrimSpace(ch) == "" {
			errs = append(errs, fmt.Errorf("channel_by_severity: %s: channel is empty", sev))
		}
	}
	switch o.Chart {
	case "", ChartNative, ChartImage, ChartNone:
	default:
		errs = append(errs, fmt.Errorf("chart %q: want native, image or none", o.Chart))
	}
	return errors.Join(errs...)
}

// DigestSchedule is the cron schedule on which the engine posts the
// notifier's digests, empty when it has none.
func (n *Notifier) DigestSchedule() string { return n.opts.Digest }

// route picks the alert's channel: the rule's own, else its severity's,
// else the default.
func (n *Notifier) route(a notifiers.Alert) (string, error) {
	if ch := strings.TrimSpace(a.Channel); ch != "" {
		return ch, nil
	}
	if ch := n.opts.ChannelBySeverity[string(SeverityOf(a.Score))]; ch != "" {
		return ch, nil
	}
	if n.opts.Channel != "" {
		return n.opts.Channel, nil
	}
	return "", &PermanentError{Code: "no_channel", Err: fmt.Errorf("no channel for a %s alert", SeverityOf(a.Score)),
		Hint: "set the notifier's channel, or a channel for this severity"}
}

// configuredChannels are every channel the options name.
func (n *Notifier) configuredChannels() []string {
	var chs []string
	seen := map[string]bool{}
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			chs = append(chs, c)
		}
	}
	add(n.opts.Channel)
	for _, s := range []Severity{Minor, Major, Critical} {
		add(n.opts.ChannelBySeverity[string(s)])
	}
	return chs
}

// redact hides the token in err's message, keeping the chain for
// errors.Is and errors.As.
func (n *Notifier) redact(err error) error {
	return redactToken(err, n.token)
}

func redactToken(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), token, "<secret>"), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
