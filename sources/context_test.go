package sources

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestContextErr(t *testing.T) {
	if err := ContextErr(context.Background()); err != nil {
		t.Errorf("ContextErr(background) = %v, want nil", err)
	}
	passed, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if err := ContextErr(passed); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ContextErr(passed deadline) = %v, want DeadlineExceeded", err)
	}
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := ContextErr(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("ContextErr(canceled) = %v, want Canceled", err)
	}
}
