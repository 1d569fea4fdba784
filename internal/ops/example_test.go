package ops_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"vigil/internal/ops"
)

// A daemon wires the registry, metrics, logger and server together; the
// engine then records each evaluation.
func Example() {
	log, err := ops.NewLogger(io.Discard, "info", "json") // os.Stderr in the daemon
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := ops.NewRegistry()
	m := ops.NewMetrics(reg)
	m.SetBuildInfo("v0.1.0")
	m.AddRule("orders")
	m.ObserveEvaluation("orders", ops.ResultAnomaly, 1200*time.Millisecond)

	srv := ops.NewServer(ops.Options{
		Addr:     "127.0.0.1:0", // leave empty for the default, 127.0.0.1:9464
		Registry: reg,
		Ready:    func(ctx context.Context) error { return errors.New("source warehouse: connection refused") },
		Logger:   log.With("component", "ops"),
	})
	addr, err := srv.Start(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())

	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%d %s", resp.StatusCode, body)
	// Output:
	// 503 not ready: source warehouse: connection refused
}

func ExampleRedact() {
	fmt.Println(ops.Redact("dial clickhouse://vigil:hunter2@db:9000: connection refused"))
	fmt.Println(ops.Redact("slack: token=xoxb-1-2-3 rejected"))
	// Output:
	// dial clickhouse://vigil:<secret>@db:9000: connection refused
	// slack: token=<secret> rejected
}
