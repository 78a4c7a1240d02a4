package store_test

import (
	"testing"

	"tollgate/internal/testenv"
	"tollgate/store/storetest"
)

// postgresDSN creates a schema of its own for t on the server named by
// TOLLGATE_TEST_POSTGRES and returns a URL whose search_path selects it; the
// schema is dropped when t ends. It skips t without the variable.
func postgresDSN(t testing.TB) string {
	t.Helper()
	return testenv.PostgresSchema(t, "tollgate_test_")
}

func TestPostgres(t *testing.T) {
	testenv.PostgresURL(t) // skip the whole suite at once without a server
	storetest.Run(t, postgresDSN)
}
