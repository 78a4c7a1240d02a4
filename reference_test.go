package tollgate

import (
	"errors"
	"testing"
)

func TestRefResolve(t *testing.T) {
	ref := Ref{Field: "license_id", Kind: "license", ID: "x-1"}
	outage := errors.New("connection reset")
	tests := []struct {
		name    string
		err     error
		visible bool
		want    error
	}{
		{"OK", nil, true, nil},
		{"ErrMissing", Errorf(ENOTFOUND, "store.License: license %q not found", "x-1"), false, ref.Unresolved()},
		{"ErrNotTheCallers", nil, false, ref.Unresolved()},
		{"ErrOutage", outage, false, outage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ref.Resolve(tt.err, tt.visible)
			if (got == nil) != (tt.want == nil) || (got != nil && got.Error() != tt.want.Error()) ||
				ErrorCode(got) != ErrorCode(tt.want) {
				t.Errorf("Resolve: got %v (%s), want %v (%s)", got, ErrorCode(got), tt.want, ErrorCode(tt.want))
			}
		})
	}
	if got, want := ref.Unresolved().Error(), `license_id: license "x-1" not found`; got != want {
		t.Errorf("Unresolved: got %q, want %q", got, want)
	}
}
