package tollgate

import (
	"strings"
	"testing"
)

// TestReadBuild checks that every fact is either recorded or Unknown, and
// that a version set at link time wins. Test binaries carry no VCS
// information, so the revision here is Unknown.
func TestReadBuild(t *testing.T) {
	b := ReadBuild("")
	for name, v := range map[string]string{"version": b.Version, "revision": b.Revision, "time": b.Time, "modified": b.Modified} {
		if v == "" {
			t.Errorf("%s is empty, want a value or %q", name, Unknown)
		}
	}
	if b.Modified != Unknown && b.Modified != "true" && b.Modified != "false" {
		t.Errorf("modified = %q, want true, false or unknown", b.Modified)
	}
	if got := ReadBuild("v1.2.3"); got.Version != "v1.2.3" {
		t.Errorf("version = %q, want the link-time v1.2.3", got.Version)
	}
	if s := b.String(); !strings.Contains(s, "revision "+b.Revision) || !strings.Contains(s, b.GoVersion) {
		t.Errorf("String() = %q, want the revision and Go version", s)
	}
}
