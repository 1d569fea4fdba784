package sources

import (
	"testing"

	"vigil/internal/deptest"
)

// TestDeps keeps drivers out of this package, so that importing it stays
// cheap: they belong to the backend subpackages.
func TestDeps(t *testing.T) {
	deptest.Forbid(t, "vigil/sources",
		"github.com/duckdb/...", "github.com/ClickHouse/...",
		"vigil/sources/duckdb/...", "vigil/sources/clickhouse/...",
		"database/sql/...",
	)
}
