package auth_test

import (
	"fmt"
	"strings"

	"tollgate"
	"tollgate/auth"
)

// An exporter's officer may read its own parties; another exporter's party
// is "not found", and a licensing officer's action is forbidden.
func ExampleAuthorize() {
	officer := &tollgate.Principal{UserID: "u1", OrgID: "exporter-a", OrgKind: tollgate.OrgExporter,
		Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}
	for _, c := range []struct {
		perm string
		obj  auth.Ownership
	}{
		{"party.read", auth.OwnedBy("exporter-a")},
		{"party.read", auth.OwnedBy("exporter-b")},
		{"application.decide", auth.OwnedBy("exporter-a", "bis")},
	} {
		fmt.Printf("%s on %s's object: %q\n", c.perm, c.obj.OrgID, tollgate.ErrorCode(auth.Authorize(officer, c.perm, c.obj)))
	}
	// Output:
	// party.read on exporter-a's object: ""
	// party.read on exporter-b's object: "not_found"
	// application.decide on exporter-a's object: "forbidden"
}

// A token prints redacted; Reveal gives the value, to show once.
func ExampleNewToken() {
	tok, err := auth.NewToken(nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(tok)
	fmt.Println(len(tok.Reveal()), strings.HasPrefix(tok.Reveal(), auth.TokenPrefix))
	typo := "x"
	if strings.HasSuffix(tok.Reveal(), typo) {
		typo = "y"
	}
	_, err = auth.ParseToken(tok.Reveal()[:auth.TokenLen-1] + typo)
	fmt.Println(err)
	// Output:
	// tg_[REDACTED]
	// 39 true
	// malformed API token: checksum does not match (mistyped or truncated?)
}
