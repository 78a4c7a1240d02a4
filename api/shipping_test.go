package api

import (
	"testing"

	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/shipping"
	"tollgate/store"
)

// newTestShipping is the shipping service of the test server.
func newTestShipping(t *testing.T, db *store.DB) Shipping {
	t.Helper()
	svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
