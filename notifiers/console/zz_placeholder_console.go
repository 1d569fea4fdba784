// Package console is a placeholder until the console notifier lands.
package console

import (
	"context"
	"fmt"
	"io"

	"vigil/notifiers"
)

// Notifier writes alerts to a writer.
type Notifier struct{ w io.Writer }

// New returns a Notifier writing to w.
func New(w io.Writer) *Notifier { return &Notifier{w: w} }

// Notify writes one line per alert.
func (n *Notifier) Notify(ctx context.Context, a notifiers.Alert) (bool, error) {
	_, err := fmt.Fprintf(n.w, "%s %s: %s\n", a.State, a.Rule, a.Reason)
	return false, err
}
