package tollgate

import (
	"testing"
	"time"
)

func TestLocalPrincipal(t *testing.T) {
	for _, tc := range []struct{ osUser, want string }{
		{"alice", "cli:alice"},
		{" bob\n", "cli:bob"},
		{"", "cli:unknown"},
	} {
		p := LocalPrincipal(tc.osUser)
		if got := p.UserID; got != tc.want || len(p.Roles) != 0 {
			t.Errorf("LocalPrincipal(%q): got %q with roles %v, want %q with none", tc.osUser, got, p.Roles, tc.want)
		}
	}
	if got := SystemPrincipal(); got.UserID != SystemUserID || len(got.Roles) != 0 {
		t.Errorf("SystemPrincipal: got %+v", got)
	}
}

func TestAuditFilterValidate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		f    AuditFilter
		ok   bool
	}{
		{"Zero", AuditFilter{}, true},
		{"SinceOnly", AuditFilter{Since: t0}, true},
		{"Range", AuditFilter{Since: t0, Until: t0.Add(time.Hour)}, true},
		{"Empty", AuditFilter{Since: t0, Until: t0}, false},
		{"Reversed", AuditFilter{Since: t0.Add(time.Hour), Until: t0}, false},
	} {
		err := tc.f.Validate()
		if got := err == nil; got != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tc.name, err, tc.ok)
		} else if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("%s: code %q, want %q", tc.name, ErrorCode(err), EINVALID)
		}
	}
}
