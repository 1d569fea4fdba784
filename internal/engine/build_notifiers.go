package engine

import (
	"context"
	"fmt"
	"time"

	"vigil/config"
	"vigil/notifiers"
	"vigil/notifiers/console"
	"vigil/notifiers/webhook"
)

// buildNotifiers builds every notifier of cfg, each wrapped so that its
// errors name it. A notifier that is skipped maps to nil.
func buildNotifiers(cfg *config.Config, opts Options) (map[string]notifiers.Notifier, []*slackSide, []error) {
	nots := map[string]notifiers.Notifier{}
	var sides []*slackSide
	var errs []error
	for _, name := range sortedKeys(cfg.Notifiers) {
		nc := cfg.Notifiers[name]
		var n notifiers.Notifier
		var err error
		if nc.Type == "slack" && !nc.Disabled && nc.Token != "" {
			var side *slackSide
			n, side, err = buildSlack(cfg, nc, opts)
			if side != nil {
				sides = append(sides, side)
			}
		} else {
			n, err = buildNotifier(nc, opts)
		}
		if err != nil {
			errs = append(errs, located(nc.Pos, fmt.Errorf("notifier %q: %w", name, err)))
			continue
		}
		if n == nil {
			continue
		}
		nots[name] = named(name, n)
	}
	return nots, sides, errs
}

// buildNotifier returns nil, nil for a notifier left unconfigured on
// purpose (an empty token or URL, as when its environment variable is
// unset), after a warning. A configured Slack notifier is built by
// buildSlack.
func buildNotifier(nc config.Notifier, opts Options) (notifiers.Notifier, error) {
	switch nc.Type {
	case "console":
		return console.New(opts.Stdout), nil
	case "slack", "webhook":
		secret, key := nc.Token, "token"
		if nc.Type == "webhook" {
			secret, key = nc.URL, "url"
		}
		if nc.Disabled || secret == "" {
			opts.Logger.Warn("notifier skipped: its "+key+" is empty", "notifier", nc.Name, "type", nc.Type)
			return nil, nil
		}
		return buildWebhook(nc, opts)
	}
	return nil, fmt.Errorf("type %q: want console, slack or webhook", nc.Type)
}

// named wraps n so that its errors say which notifier failed.
func named(name string, n notifiers.Notifier) notifiers.Notifier {
	return namedNotifier{name: name, next: n}
}

type namedNotifier struct {
	name string
	next notifiers.Notifier
}

func (n namedNotifier) Unwrap() notifiers.Notifier { return n.next }

func (n namedNotifier) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	retry, err := n.next.Notify(ctx, a)
	if err != nil {
		err = fmt.Errorf("notifier %q: %w", n.name, err)
	}
	return retry, err
}

// Webhook delivery: each request gets webhookTimeout; a failure worth
// retrying is tried again twice within the call, waiting out a rate limit
// of up to webhookMaxWait; the outbox retries longer outages.
const (
	webhookTimeout  = 10 * time.Second
	webhookAttempts = 3
	webhookMaxWait  = 30 * time.Second
)

func buildWebhook(nc config.Notifier, opts Options) (notifiers.Notifier, error) {
	w, err := webhook.New(webhook.Options{URL: nc.URL, Timeout: webhookTimeout})
	if err != nil {
		return nil, err
	}
	return notifiers.Chain(w,
		notifiers.WithRetry(notifiers.RetryPolicy{Attempts: webhookAttempts, MaxWait: webhookMaxWait,
			Logger: opts.Logger.With("notifier", nc.Name)}),
		notifiers.WithTimeout(webhookTimeout)), nil
}
