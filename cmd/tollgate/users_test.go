package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api"
	"tollgate/api/apitest"
	"tollgate/auth"
	"tollgate/store"
)

// accessCLI runs tollgate against dsn with stdin and returns stdout.
func accessCLI(t *testing.T, dsn, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"TOLLGATE_DATA": t.TempDir(), "USER": "operator1"}
	err := run(context.Background(), append(args, "--db", dsn), func(k string) string { return env[k] },
		strings.NewReader(stdin), &out, &errb)
	return out.String(), err
}

func TestUsersAndTokensCommands(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	out, err := accessCLI(t, dsn, "", "orgs", "add", "--kind", "exporter", "--name", "Nvidia Corporation", "--country", "US", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var org tollgate.Org
	if err := json.Unmarshal([]byte(out), &org); err != nil {
		t.Fatalf("orgs add: %v: %s", err, out)
	}

	usage := []struct {
		args []string
		flag string
	}{
		{[]string{"users", "create", "--org", org.ID, "--email", "bad", "--name", "X", "--role", "exporter_admin"}, "--email"},
		{[]string{"users", "create", "--org", org.ID, "--email", "x@nv.example", "--name", "X"}, "--role"},
		{[]string{"users", "create", "--org", org.ID, "--email", "x@nv.example", "--name", "X", "--role", "king"}, "--role"},
		{[]string{"users", "create", "--org", org.ID, "--email", "x@nv.example", "--name", "X", "--role", "licensing_officer"}, "--role"},
		{[]string{"users", "create", "--org", org.ID, "--email", "x@nv.example", "--name", "X", "--role", "exporter_admin", "--password-stdin"}, "--password-stdin"},
		{[]string{"users", "disable"}, "accepts 1 arg"},
		{[]string{"tokens", "create", "x@nv.example"}, "--name"},
		{[]string{"tokens", "create", "x@nv.example", "--name", "n", "--ttl", "10000h"}, "--ttl"},
	}
	for _, tt := range usage {
		if _, err := accessCLI(t, dsn, "", tt.args...); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("%v: %v, want a usage error naming %s", tt.args, err, tt.flag)
		}
	}
	// An organization that does not exist is not found (exit 1), as in
	// every command (refs.go), naming the flag.
	if _, err := accessCLI(t, dsn, "", "users", "create", "--org", "0192f1e2-0000-7000-8000-000000000000", "--email", "x@nv.example",
		"--name", "X", "--role", "auditor"); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "--org: no organization") {
		t.Errorf("users create --org NOBODY: %v, want exit 1 naming --org", err)
	}

	const password = "velvet quarry almanac"
	out, err = accessCLI(t, dsn, password+"\n", "users", "create", "--org", org.ID, "--email", "Ada@NV.example", "--name", "Ada Lovelace",
		"--role", "exporter_admin", "--role", "exporter_officer", "--password-stdin", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var ada tollgate.User
	if err := json.Unmarshal([]byte(out), &ada); err != nil || ada.Email != "ada@nv.example" || len(ada.Roles) != 2 {
		t.Fatalf("users create: %+v, %v: %s", ada, err, out)
	}
	if strings.Contains(out, "argon2") {
		t.Errorf("users create printed the password hash: %s", out)
	}
	if out, _ := accessCLI(t, dsn, "", "users", "list", "--org", org.ID); !strings.Contains(out, "ada@nv.example") ||
		!strings.Contains(out, "exporter_admin,exporter_officer") || !strings.Contains(out, "yes") {
		t.Errorf("users list:\n%s", out)
	}

	out, err = accessCLI(t, dsn, "", "tokens", "create", "ada@nv.example", "--name", "CI deploys", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var nt api.NewToken
	if err := json.Unmarshal([]byte(out), &nt); err != nil {
		t.Fatalf("tokens create: %v: %s", err, out)
	}
	if _, err := auth.ParseToken(nt.Secret); err != nil {
		t.Fatalf("tokens create printed %q: %v", nt.Secret, err)
	}
	db := openForCheck(t, dsn)
	stored, err := db.FindTokenByHash(context.Background(), auth.HashSecret(auth.Secret(nt.Secret)))
	if err != nil || stored.UserID != ada.ID {
		t.Fatalf("the printed token is not the stored one: %+v, %v", stored, err)
	}
	out, _ = accessCLI(t, dsn, "", "tokens", "list", ada.ID)
	if !strings.Contains(out, nt.Token.ID) || !strings.Contains(out, "active") || strings.Contains(out, nt.Secret) {
		t.Errorf("tokens list:\n%s", out)
	}
	if out, err := accessCLI(t, dsn, "", "tokens", "revoke", nt.Token.ID); err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("tokens revoke: %v: %s", err, out)
	}
	if out, _ := accessCLI(t, dsn, "", "tokens", "list", "ada@nv.example"); !strings.Contains(out, "revoked") {
		t.Errorf("tokens list after revoke:\n%s", out)
	}

	if _, err := accessCLI(t, dsn, "", "users", "set-roles", "ada@nv.example", "--role", "auditor"); err == nil || exitCode(err) != 2 {
		t.Errorf("set-roles to a role of another kind of organization: %v, want a usage error", err)
	}
	if out, err := accessCLI(t, dsn, "", "users", "set-roles", "ada@nv.example", "--role", "exporter_officer"); err != nil ||
		!strings.Contains(out, "exporter_officer") || strings.Contains(out, "exporter_admin") {
		t.Errorf("set-roles: %v: %s", err, out)
	}
	if out, err := accessCLI(t, dsn, "", "users", "disable", "ada@nv.example"); err != nil || !strings.Contains(out, "disabled") {
		t.Errorf("disable: %v: %s", err, out)
	}
	if out, err := accessCLI(t, dsn, "", "users", "enable", ada.ID); err != nil || !strings.Contains(out, "enabled") {
		t.Errorf("enable: %v: %s", err, out)
	}
	if _, err := accessCLI(t, dsn, "password\n", "users", "set-password", "ada@nv.example", "--password-stdin"); err == nil || exitCode(err) != 2 {
		t.Errorf("set-password with a weak password: %v, want a usage error", err)
	}
	if _, err := accessCLI(t, dsn, "", "users", "set-password", "ada@nv.example"); err == nil || exitCode(err) != 2 {
		t.Errorf("set-password without a terminal or --password-stdin: %v, want a usage error", err)
	}
	const next = "plum orchestra lantern"
	if out, err := accessCLI(t, dsn, next+"\n", "users", "set-password", "ada@nv.example", "--password-stdin"); err != nil || strings.Contains(out, next) {
		t.Errorf("set-password: %v: %s", err, out)
	}
	u, err := db.FindUserByID(context.Background(), ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.VerifyPassword(next, u.PasswordHash); !ok || err != nil {
		t.Errorf("the stored hash does not verify the new password: %v", err)
	}
}

// openForCheck opens dsn for a test to look at what commands stored.
func openForCheck(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
