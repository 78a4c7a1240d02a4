package api

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"tollgate"
	"tollgate/store"
)

// TestAuditReconcileAPI: the auditor reconciles the live data with the log
// (clean, then naming a party edited behind the log's back, and the
// field); other roles are refused.
func TestAuditReconcileAPI(t *testing.T) {
	env := newTestEnv(t)
	c := env.cast()
	auditor := c.users[tollgate.RoleAuditor]
	party := env.createParty(c.orgs[tollgate.OrgExporter].ID, "Huawei Technologies Co Ltd")

	rep := must[store.ReconcileReport](env, request{method: "GET", path: "/v1/audit/reconcile", as: auditor}, http.StatusOK)
	if !rep.OK() || len(rep.Tables) == 0 {
		t.Fatalf("untouched store: %+v, want no findings", rep)
	}

	ctx := context.Background()
	err := env.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE parties SET legal_name = 'Friendly Trading' WHERE id = ?`, party.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rep = must[store.ReconcileReport](env, request{method: "GET", path: "/v1/audit/reconcile?limit=5", as: auditor}, http.StatusOK)
	if rep.Total != 1 || len(rep.Findings) != 1 || rep.Findings[0].ObjectID != party.ID ||
		!slices.Equal(rep.Findings[0].Fields, []string{"legal_name"}) {
		t.Errorf("after a direct edit: %+v, want party %s named with field legal_name", rep, party.ID)
	}

	for _, role := range []tollgate.Role{tollgate.RoleExporterAdmin, tollgate.RoleSystemAdmin, tollgate.RoleLicensingOfficer} {
		env.problem(request{method: "GET", path: "/v1/audit/reconcile", as: c.users[role]}, http.StatusForbidden)
	}
	for _, q := range []string{"limit=0", "limit=x", "limit=10001"} {
		env.problem(request{method: "GET", path: "/v1/audit/reconcile?" + q, as: auditor}, http.StatusBadRequest)
	}
}
