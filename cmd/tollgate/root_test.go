package main

import (
	"strings"
	"testing"
)

// TestUnknownCommandSuggests checks that a mistyped command, at the top
// or under a group, is a usage error with cobra's "did you mean".
func TestUnknownCommandSuggests(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"expotrs"}, `unknown command "expotrs" for "tollgate"; did you mean "exports"?`},
		{[]string{"partys"}, `did you mean "parties"?`},
		{[]string{"exports", "cpa"}, `unknown command "cpa" for "tollgate exports"; did you mean "cap"?`},
		{[]string{"zzzz"}, `unknown command "zzzz" for "tollgate" (see --help)`},
	}
	for _, tt := range tests {
		_, err := shipCLI(t, "", "", tt.args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(errorLine(err), tt.want) {
			t.Errorf("tollgate %s: %v, want a usage error with %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}
