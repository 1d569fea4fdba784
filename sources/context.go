package sources

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ContextErr returns why ctx ended, or nil. A deadline that has passed counts
// even before ctx reports it: drivers that set the deadline on the socket
// can fail with an i/o timeout a moment before the context's own timer
// fires, and the caller should still learn that its deadline ended the query.
func ContextErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// WithContextErr returns err of a query that ran under ctx, saying first
// why ctx ended when it did and err does not say so already.
func WithContextErr(ctx context.Context, err error) error {
	if ctxErr := ContextErr(ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return err
}
