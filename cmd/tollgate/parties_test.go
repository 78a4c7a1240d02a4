package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
	"tollgate/screen/lists"
	"tollgate/screening"
	"tollgate/store"
)

// partiesCLI runs tollgate against dsn and returns stdout.
func partiesCLI(t *testing.T, dsn string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"TOLLGATE_DATA": t.TempDir(), "USER": "analyst1"}
	err := run(context.Background(), append(args, "--db", dsn), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errb)
	return out.String(), err
}

func TestPartiesCommands(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	out, err := partiesCLI(t, dsn, "orgs", "add", "--kind", "exporter", "--name", "Nvidia Corporation", "--country", "US", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var org tollgate.Org
	if err := json.Unmarshal([]byte(out), &org); err != nil || org.ID == "" {
		t.Fatalf("orgs add: %v: %s", err, out)
	}
	if out, _ := partiesCLI(t, dsn, "orgs"); !strings.Contains(out, "Nvidia Corporation") {
		t.Errorf("orgs list:\n%s", out)
	}

	usage := []struct {
		args []string
		flag string
	}{
		{[]string{"orgs", "add", "--kind", "bank", "--name", "X", "--country", "US"}, "--kind"},
		{[]string{"parties", "add", "--org-id", org.ID, "--role", "end_user", "--country", "SG"}, "--legal-name"},
		{[]string{"parties", "add", "--org-id", org.ID, "--role", "buyer", "--legal-name", "X", "--country", "SG"}, "--role"},
		{[]string{"parties", "add", "--org-id", org.ID, "--role", "end_user", "--legal-name", "X", "--country", "SG", "--identifier", "lei"}, "--identifier"},
		{[]string{"parties", "--status", "happy"}, "--status"},
	}
	for _, tt := range usage {
		if _, err := partiesCLI(t, dsn, tt.args...); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("%v: %v, want a usage error naming %s", tt.args, err, tt.flag)
		}
	}

	out, err = partiesCLI(t, dsn, "parties", "add", "--org-id", org.ID, "--role", "ultimate_consignee", "--type", "organization",
		"--legal-name", "Shady Chips Trading Ltd", "--other-name", "影子芯片贸易有限公司", "--country", "HK", "--identifier", "lei=5493001KJTIIGC8Y1R12", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p tollgate.Party
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Status != tollgate.ScreeningUnscreened {
		t.Fatalf("parties add: %v: %s", err, out)
	}

	db, err := store.Open(context.Background(), dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lists.ParseCustom(strings.NewReader(e2eListV1))
	if err != nil {
		t.Fatal(err)
	}
	res.Digest = strings.Repeat("ab", 32)
	if _, _, err := db.ImportListVersion(context.Background(), screening.ListImport(res, "internal.csv")); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if out, err := partiesCLI(t, dsn, "parties", "screen", p.ID); err != nil || !strings.Contains(out, "status pending_review") ||
		!strings.Contains(out, "INTERNAL INT-1") || !strings.Contains(out, "undecided") {
		t.Errorf("parties screen: %v\n%s", err, out)
	}
	if _, err := partiesCLI(t, dsn, "parties", "decide", p.ID, "--list", "INTERNAL", "--source-id", "INT-1", "--kind", "false_positive"); err == nil || !strings.Contains(err.Error(), "--reason") {
		t.Errorf("decide without a reason: %v", err)
	}
	if _, err := partiesCLI(t, dsn, "parties", "decide", p.ID, "--list", "INTERNAL", "--source-id", "INT-9", "--kind", "true_match"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("decide an unknown hit: %v, want not found", err)
	}
	out, err = partiesCLI(t, dsn, "parties", "decide", p.ID, "--list", "INTERNAL", "--source-id", "INT-1", "--kind", "false_positive", "--reason", "registry number differs")
	if err != nil || !strings.Contains(out, "is now clear") {
		t.Fatalf("decide: %v\n%s", err, out)
	}
	out, err = partiesCLI(t, dsn, "parties", "show", p.ID)
	if err != nil || !strings.Contains(out, "decided false_positive by analyst1") || !strings.Contains(out, "影子芯片贸易有限公司") {
		t.Errorf("parties show: %v\n%s", err, out)
	}
	if out, _ := partiesCLI(t, dsn, "parties", "--status", "clear"); !strings.Contains(out, p.ID) {
		t.Errorf("parties --status clear:\n%s", out)
	}
}

// TestActingAs checks the one rule for who the CLI acts as: --by, else
// $USER, else $USERNAME, else cli:unknown in the audit log, and a decision
// refused without a name.
func TestActingAs(t *testing.T) {
	tests := []struct {
		by, user, username string
		want               string // the principal
	}{
		{"j.doe", "ada", "bob", "cli:j.doe"},
		{"", "ada", "bob", "cli:ada"},
		{"", "", "bob", "cli:bob"},
		{"", " ", "", "cli:unknown"},
	}
	for _, tt := range tests {
		env := map[string]string{"USER": tt.user, "USERNAME": tt.username}
		c := &cli{getenv: func(k string) string { return env[k] }, by: tt.by}
		if got := c.localPrincipal().UserID; got != tt.want {
			t.Errorf("--by %q, USER %q, USERNAME %q: acts as %q, want %q", tt.by, tt.user, tt.username, got, tt.want)
		}
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"parties", "decide", "P", "--list", "EL", "--source-id", "1", "--kind", "true_match",
		"--db", apitest.SQLiteDSN(t)}, func(k string) string { return map[string]string{"TOLLGATE_DATA": t.TempDir()}[k] },
		strings.NewReader(""), &out, &errb)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--by: required") {
		t.Errorf("parties decide with no name known: %v, want a usage error naming --by", err)
	}
}
