package notifiers_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"vigil/notifiers"
)

// A flaky receiver first rate-limits, then fails, then takes the alert.
// Retry waits out the rate limit exactly and backs off after the failure;
// Timeout gives each attempt its own deadline.
func ExampleChain() {
	answers := []error{
		&notifiers.RetryAfterError{Delay: 3 * time.Second, Err: errors.New("status 429")},
		errors.New("status 503"),
		nil,
	}
	var calls int
	flaky := notifiers.NotifierFunc(func(ctx context.Context, a notifiers.Alert) (bool, error) {
		err := answers[calls]
		calls++
		fmt.Printf("attempt %d: %v\n", calls, err)
		return err != nil, err
	})
	n := notifiers.Chain(flaky,
		notifiers.WithRetry(notifiers.RetryPolicy{
			Attempts: 5, Min: time.Second, Max: time.Second, // Min = Max: no jitter, for the example
			Sleep: func(ctx context.Context, d time.Duration) error {
				fmt.Println("wait", d)
				return nil
			},
		}),
		notifiers.WithTimeout(10*time.Second),
	)
	retry, err := n.Notify(context.Background(), notifiers.Alert{ID: "orders"})
	fmt.Println("retry:", retry, "err:", err)
	// Output:
	// attempt 1: status 429 (retry after 3s)
	// wait 3s
	// attempt 2: status 503
	// wait 1s
	// attempt 3: <nil>
	// retry: false err: <nil>
}
