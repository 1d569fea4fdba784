// Package console writes alerts to a terminal or a log file as short,
// aligned blocks of text a person reads at a glance.
package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	"vigil/notifiers"
)

// Notifier writes each alert to a writer as one block of lines. It is safe
// for concurrent use: an alert's block goes out in a single Write under a
// lock, so blocks of concurrent alerts never interleave. Notifiers that
// share a writer should wrap it in a writer that locks too (os.Stdout
// already writes small blocks whole).
type Notifier struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	sql   bool
}

// Option configures a Notifier.
type Option func(*Notifier)

// WithColor colours the headline with ANSI escapes: red while firing,
// green when resolved. Use it only when the writer is a terminal.
func WithColor(on bool) Option { return func(n *Notifier) { n.color = on } }

// WithSQL adds the query behind the alert, for analysts who want to run it.
func WithSQL(on bool) Option { return func(n *Notifier) { n.sql = on } }

// New returns a Notifier writing to w; a nil w discards alerts.
func New(w io.Writer, opts ...Option) *Notifier {
	if w == nil {
		w = io.Discard
	}
	n := &Notifier{w: w}
	for _, o := range opts {
		o(n)
	}
	return n
}

// Notify writes the alert. A failed write is not retried: a terminal or
// file that refused one block will refuse the next.
func (n *Notifier) Notify(ctx context.Context, a notifiers.Alert) (retry bool, err error) {
	if err := ctx.Err(); err != nil {
		return true, fmt.Errorf("console: %w", err)
	}
	var b bytes.Buffer
	render(&b, a, n.color, n.sql)
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.w.Write(b.Bytes()); err != nil {
		return false, fmt.Errorf("console: write alert %q: %w", a.Rule, err)
	}
	return false, nil
}
