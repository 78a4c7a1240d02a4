package main

import (
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/api/apitest"
)

// TestEngagementsCommands engages a second broker through the CLI, shows
// that an import it files is refused before and after the engagement and
// taken while it is in force, and ends it.
func TestEngagementsCommands(t *testing.T) {
	dsn := apitest.SQLiteDSN(t)
	w, _ := shipWorld(t, dsn)
	exporter := w.Exporter.ID
	var broker tollgate.Org
	mustShipCLI(t, dsn, &broker, "orgs", "add", "--kind", "broker", "--name", "Second Brokers", "--country", "US", "--json")
	importArgs := func(seq, day string) []string {
		check, _ := tollgate.EntryCheckDigit("ENG", seq)
		return []string{"imports", "add", "--importer", broker.ID, "--exporter", exporter, "--importer-of-record", "Load Exporter Corp",
			"--entry-number", "ENG" + seq + string(check), "--entry-date", day, "--product", "H200", "--lot", "TW-ENG",
			"--count", "10", "--origin", "TW", "--hts", "8473.30.1180", "--entered-value-cents", "25000000"}
	}
	day := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)
	if _, err := shipCLI(t, dsn, "", importArgs("0000001", day)...); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Fatalf("import by an unengaged broker: %v, want not found", err)
	}

	var e tollgate.Engagement
	mustShipCLI(t, dsn, &e, "engagements", "add", "--exporter", exporter, "--engaged", broker.ID, "--kind", "imports",
		"--starts-on", day, "--lot", "TW-ENG", "--json")
	if e.CreatedBy != tollgate.LocalUserPrefix+"officer1" {
		t.Errorf("created by %q, want the local user", e.CreatedBy)
	}
	mustShipCLI(t, dsn, nil, importArgs("0000002", day)...)
	if out := mustShipCLI(t, dsn, nil, "engagements", "--engaged", broker.ID); !strings.Contains(out, e.ID) || !strings.Contains(out, "lots TW-ENG") {
		t.Errorf("engagements list:\n%s", out)
	}
	mustShipCLI(t, dsn, nil, "engagements", "end", e.ID, "--on", day)
	next := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	if _, err := shipCLI(t, dsn, "", importArgs("0000003", next)...); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("import dated after the engagement's end: %v, want not found", err)
	}
	if _, err := shipCLI(t, dsn, "", "engagements", "add", "--exporter", exporter, "--engaged", broker.ID, "--kind", "tests",
		"--starts-on", day); err == nil || !strings.Contains(err.Error(), "--engaged") {
		t.Errorf("a broker engaged for tests: %v, want an error naming --engaged", err)
	}
	if _, err := shipCLI(t, dsn, "", "engagements", "end", e.ID); err == nil || !strings.Contains(err.Error(), "--on") {
		t.Errorf("end without --on: %v, want an error naming --on", err)
	}
}
