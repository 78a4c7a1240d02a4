package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tollgate/api/apitest"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

func TestApplicationsCommands(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	w := licensingtest.NewWorld(t, licensingtest.Open(t, dsn, time.Now))
	cli := func(args ...string) string {
		t.Helper()
		out, err := partiesCLI(t, dsn, args...)
		if err != nil {
			t.Fatalf("tollgate %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	for code, org := range map[string]string{"BIS": w.BIS.ID, "DOD": w.DOD.ID, "STATE": w.State.ID, "DOE": w.Energy.ID} {
		cli("applications", "agencies", "set", code, org)
	}
	if out := cli("applications", "agencies"); !strings.HasPrefix(out, "BIS\t"+w.BIS.ID) {
		t.Errorf("agencies:\n%s", out)
	}

	dir := t.TempDir()
	draft, _ := json.Marshal(w.Draft())
	file, pdf := filepath.Join(dir, "draft.json"), filepath.Join(dir, "statement.pdf")
	mustWrite(t, file, draft)
	mustWrite(t, pdf, licensingtest.PDF("end-user statement"))
	var sa store.StoredApplication
	if err := json.Unmarshal([]byte(cli("applications", "create", file, "--document", pdf, "--json")), &sa); err != nil || len(sa.Documents) != 1 {
		t.Fatalf("create: %v, %+v", err, sa)
	}
	if out := cli("applications", "certify", sa.ID); strings.Count(out, ": not made") != 6 {
		t.Errorf("certify (list):\n%s", out)
	}
	if _, err := partiesCLI(t, dsn, "applications", "precheck", sa.ID); err == nil {
		t.Error("precheck of an uncertified draft passes")
	}
	for _, c := range licensing.H200Certifications() {
		cli("applications", "certify", sa.ID, c.Code, "--officer", "Jane Officer", "--statement", c.Statement)
	}
	if out := cli("applications", "precheck", sa.ID); !strings.Contains(out, "ok china_cap (H200 SXM)") {
		t.Errorf("precheck:\n%s", out)
	}
	if out := cli("applications", "submit", sa.ID); !strings.Contains(out, "submitted (Z000001)") {
		t.Errorf("submit:\n%s", out)
	}
	cli("applications", "event", "Z000001", "accept") // by control number, as show takes it
	cli("applications", "event", sa.ID, "refer", "--agency", "DOD")
	cli("applications", "event", sa.ID, "recommend", "--agency", "dod", "--recommendation", "approve", "--reason", "end user vetted")
	decision := filepath.Join(dir, "approval.yaml")
	mustWrite(t, decision, []byte("outcome: approve\nitems: [{product: H200, quantity: 1000, value_cents: 2700000000}]\n"+
		"conditions: [{id: C1, text: No remote access., binds: [end_user]}]\n"))
	if out := cli("applications", "event", sa.ID, "decide", "--decision", decision); !strings.Contains(out, "license D000001 valid") {
		t.Errorf("decide:\n%s", out)
	}
	for _, key := range []string{sa.ID, "Z000001"} { // by id and by control number
		if out := cli("applications", "show", key); !strings.Contains(out, "approved (Z000001)") || !strings.Contains(out, "license D000001") {
			t.Errorf("show %s:\n%s", key, out)
		}
	}
	if out := cli("licenses"); !strings.Contains(out, "D000001") || !strings.Contains(out, "1000/1000 H200") {
		t.Errorf("licenses:\n%s", out)
	}
	if out := cli("licenses", "show", "D000001"); !strings.Contains(out, "awaiting acknowledgment of C1 by end_user "+w.EndUser.ID) {
		t.Errorf("licenses show:\n%s", out)
	} else if !regexp.MustCompile(`units and \$[0-9,]+\.[0-9]{2} of \$[0-9,]+\.[0-9]{2} remain`).MatchString(out) || strings.Contains(out, "cents") {
		t.Errorf("licenses show prints money other than as dollars:\n%s", out)
	}
	if out := cli("licenses", "ack", "D000001", "--condition", "C1", "--role", "end_user", "--party", w.EndUser.ID, "--signed-by", "Li Wei"); !strings.Contains(out, "0 acknowledgment(s) pending") {
		t.Errorf("licenses ack:\n%s", out)
	}
	if out := cli("applications", "events"); !strings.Contains(out, "committee_decide") {
		t.Errorf("events:\n%s", out)
	}
	cli("applications", "overdue")

	usage := []struct {
		args []string
		flag string
	}{
		{[]string{"applications", "--state", "happy"}, "--state"},
		{[]string{"applications", "certify", sa.ID, "us_supply"}, "--officer"},
		{[]string{"applications", "event", sa.ID, "approve"}, "KIND"},
		{[]string{"applications", "event", sa.ID, "decide"}, "--decision"},
		{[]string{"applications", "event", sa.ID, "recommend", "--recommendation", "approve"}, "--agency"},
		{[]string{"applications", "create", filepath.Join(dir, "missing.yaml")}, "missing.yaml"},
		{[]string{"applications", "create", decision}, "approval.yaml"},
		{[]string{"licenses", "ack", "D000001", "--condition", "C1", "--role", "buyer", "--signed-by", "x"}, "--role"},
		{[]string{"licenses", "status", "D000001", "--set", "paused", "--reason", "x"}, "--set"},
	}
	for _, tt := range usage {
		if _, err := partiesCLI(t, dsn, tt.args...); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.flag) {
			t.Errorf("%v: %v, want a usage error naming %s", tt.args, err, tt.flag)
		}
	}
	if _, err := partiesCLI(t, dsn, "applications", "event", sa.ID, "withdraw"); err == nil || exitCode(err) != 1 ||
		!strings.Contains(errorLine(err), "final") {
		t.Errorf("withdrawing a decided application: %v", err)
	}
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestApplicationsAppealCommands drives a split review through the CLI:
// the committee's approval waits in its appeal window, STATE (which
// recommended denial) appeals to ACEP, the officer records ACEP's
// decision, and finalize is refused while the new window is open. A B200
// to China prechecks with a warning and can be submitted.
func TestApplicationsAppealCommands(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	w := licensingtest.NewWorld(t, licensingtest.Open(t, dsn, time.Now))
	cli := func(args ...string) string {
		t.Helper()
		out, err := partiesCLI(t, dsn, args...)
		if err != nil {
			t.Fatalf("tollgate %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	for code, org := range map[string]string{"BIS": w.BIS.ID, "DOD": w.DOD.ID, "STATE": w.State.ID, "DOE": w.Energy.ID} {
		cli("applications", "agencies", "set", code, org)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "statement.pdf")
	mustWrite(t, pdf, licensingtest.PDF("end-user statement"))
	create := func(d licensing.Draft) string {
		t.Helper()
		draft, _ := json.Marshal(d)
		file := filepath.Join(dir, "draft.json")
		mustWrite(t, file, draft)
		var sa store.StoredApplication
		if err := json.Unmarshal([]byte(cli("applications", "create", file, "--document", pdf, "--json")), &sa); err != nil {
			t.Fatal(err)
		}
		return sa.ID
	}

	b200 := w.Draft()
	b200.Items[0].Model, b200.Items[0].Description, b200.USShipments = "B200", "Nvidia B200 (HGX)", nil
	id := create(b200)
	if out := cli("applications", "precheck", id); !strings.Contains(out, "WARN classification") ||
		!strings.Contains(out, "presumption of denial") || !strings.Contains(out, "0 failing, 1 warning(s)") {
		t.Errorf("precheck of a B200 to China:\n%s", out)
	}
	if out := cli("applications", "submit", id); !strings.Contains(out, "submitted (Z000001)") || !strings.Contains(out, "WARN classification") {
		t.Errorf("submit of a B200 to China:\n%s", out)
	}

	id = create(w.Draft())
	for _, c := range licensing.H200Certifications() {
		cli("applications", "certify", id, c.Code, "--officer", "Jane Officer", "--statement", c.Statement)
	}
	cli("applications", "submit", id)
	cli("applications", "event", id, "accept")
	cli("applications", "event", id, "refer", "--agency", "DOD", "--agency", "STATE")
	cli("applications", "event", id, "recommend", "--agency", "DOD", "--recommendation", "approve", "--reason", "vetted")
	cli("applications", "event", id, "recommend", "--agency", "STATE", "--recommendation", "deny", "--reason", "diversion risk")
	approval := filepath.Join(dir, "approval.yaml")
	mustWrite(t, approval, []byte("outcome: approve\nitems: [{product: H200, quantity: 1000, value_cents: 2700000000}]\n"))
	if out := cli("applications", "event", id, "committee_decide", "--decision", approval); !strings.Contains(out, "appeal_window") ||
		!strings.Contains(out, "may appeal: STATE") || strings.Contains(out, "license") {
		t.Errorf("committee_decide:\n%s", out)
	}
	if _, err := partiesCLI(t, dsn, "applications", "event", id, "appeal", "--agency", "DOD", "--reason", "x"); err == nil ||
		!strings.Contains(errorLine(err), "dissenting: STATE") {
		t.Errorf("appeal by DOD, which agreed: %v", err)
	}
	if out := cli("applications", "event", id, "appeal", "--agency", "STATE", "--reason", "diversion risk"); !strings.Contains(out, "appealed") ||
		!strings.Contains(out, "to ACEP") {
		t.Errorf("appeal:\n%s", out)
	}
	if out := cli("applications", "show", id); !strings.Contains(out, "STATE appealed to ACEP") || !strings.Contains(out, "deadline appeal_decision (ACEP)") {
		t.Errorf("show under appeal:\n%s", out)
	}
	if _, err := partiesCLI(t, dsn, "applications", "event", id, "appeal_decide", "--decision", approval); err == nil || exitCode(err) != 2 ||
		!strings.Contains(err.Error(), "--text") {
		t.Errorf("appeal_decide without its record: %v, want a usage error naming --text", err)
	}
	cli("applications", "event", id, "appeal_decide", "--decision", approval, "--text", "ACEP decision of today")
	if _, err := partiesCLI(t, dsn, "applications", "event", id, "finalize"); err == nil || !strings.Contains(errorLine(err), "can be appealed until") {
		t.Errorf("finalize inside the window: %v", err)
	}
}
