package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api"
	"tollgate/api/apitest"
	"tollgate/store"
)

// TestServeAuditCheckpoints checks that serve signs a checkpoint of the
// audit log at start, one on request for an auditor (not for the system
// administrator, who may not read the log) and another at shutdown
// covering every change made while it served.
func TestServeAuditCheckpoints(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	base, logs, stop := startServe(t, dsn)
	admin := bootstrapToken(t, logs)
	var cp api.AuditCheckpoint
	serveCall(t, admin, "GET", base+"/v1/audit/checkpoint", nil, http.StatusForbidden, nil)
	var org tollgate.Org
	serveCall(t, admin, "POST", base+"/v1/orgs", api.OrgInput{Kind: tollgate.OrgAuditor, Name: "Audit Firm LLP", Country: "US"},
		http.StatusCreated, &org)
	var u tollgate.User
	serveCall(t, admin, "POST", base+"/v1/users", api.UserInput{OrgID: org.ID, Email: "auditor@firm.example", Name: "Auditor",
		Roles: []tollgate.Role{tollgate.RoleAuditor}}, http.StatusCreated, &u)
	var nt api.NewToken
	serveCall(t, admin, "POST", base+"/v1/tokens", api.TokenInput{UserID: u.ID, Name: "audit"}, http.StatusCreated, &nt)
	serveCall(t, nt.Secret, "GET", base+"/v1/audit/checkpoint", nil, http.StatusOK, &cp)
	if cp.Size == 0 || cp.VerifierKey == "" || !strings.Contains(logs.String(), `"msg":"audit checkpoint"`) {
		t.Fatalf("checkpoint %+v; logs:\n%s", cp, logs)
	}
	serveCall(t, admin, "POST", base+"/v1/orgs", api.OrgInput{Kind: tollgate.OrgLab, Name: "Late Lab", Country: "TW"},
		http.StatusCreated, nil)
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	db, err := store.Open(context.Background(), dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size, err := db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last, err := db.LatestAuditCheckpoint(context.Background())
	if err != nil || last.Checkpoint.Size != size || size <= cp.Size {
		t.Fatalf("after shutdown: latest checkpoint %+v, %v; want size %d, beyond the %d served", last, err, size, cp.Size)
	}
}
