package sourcestest

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Environment variables that tell tests where the engines are. scripts/test.sh
// sets both; CI sets CI.
const (
	EnvClickHouseDSN = "VIGIL_CLICKHOUSE_DSN"
	EnvChDBDir       = "VIGIL_CHDB_DIR"
	EnvCI            = "CI"
)

// unavailable fails the test when running in CI, where every engine must be
// there, and skips it elsewhere, saying how to get the engine.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(EnvCI) != "" {
		t.Fatalf("%s (CI is set, so this fails instead of skipping)", msg)
	}
	t.Skipf("%s; run ./scripts/test.sh to start one", msg)
}

// ClickHouseDSN returns the DSN of the ClickHouse server for tests, after
// checking that something listens at its address.
func ClickHouseDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvClickHouseDSN)
	if dsn == "" {
		unavailable(t, "ClickHouse tests need "+EnvClickHouseDSN+" (e.g. clickhouse://127.0.0.1:19000/default)")
		return ""
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		t.Fatalf("%s is not a clickhouse://host:port/database DSN", EnvClickHouseDSN)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "9000")
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		unavailable(t, "ClickHouse at "+addr+" is unreachable: "+err.Error())
		return ""
	}
	c.Close()
	return dsn
}

// ChDBDir returns the folder whose node_modules holds the chdb package.
func ChDBDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(EnvChDBDir)
	if dir == "" {
		unavailable(t, "chDB tests need "+EnvChDBDir+" (a folder with node_modules/chdb)")
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "chdb", "package.json")); err != nil {
		unavailable(t, "chDB is not installed in "+dir+": "+err.Error())
		return ""
	}
	return dir
}
