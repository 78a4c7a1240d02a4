package shipping

import (
	"errors"
	"strings"
	"testing"

	"tollgate"
)

// errField returns the field of the *tollgate.Error in err's chain ("" for
// nil), failing the test unless its code is code.
func errField(t *testing.T, err error, code string) string {
	t.Helper()
	if err == nil {
		return ""
	}
	if got := tollgate.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %s, want %s", err, got, code)
	}
	var te *tollgate.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tollgate.Error", err)
	}
	return te.Field
}

// wantError fails the test unless err has code and its message contains
// every one of parts.
func wantError(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s naming %q", code, parts)
	}
	if got := tollgate.ErrorCode(err); got != code {
		t.Fatalf("error %q has code %s, want %s", err, got, code)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// details returns the Details of the *tollgate.Error in err's chain.
func details(t *testing.T, err error) any {
	t.Helper()
	var te *tollgate.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tollgate.Error", err)
	}
	return te.Details
}
