package main

import (
	"strings"
	"testing"

	"tollgate/api/apitest"
)

// TestCountryAndTypeOneReading checks that --country China and --type org
// mean the same in every command that takes them, and that a country or
// type that is none is refused the same way (a usage error naming the
// flag).
func TestCountryAndTypeOneReading(t *testing.T) {
	for _, in := range []string{"China", "cn", " CN ", "People's Republic of China"} {
		if cc, ok := countryCode(in); !ok || cc != "CN" {
			t.Errorf("countryCode(%q) = %q, %v; want CN", in, cc, ok)
		}
	}
	dsn := apitest.SQLiteDSN(t)
	w, _ := shipWorld(t, dsn)
	ok := [][]string{
		{"orgs", "add", "--kind", "exporter", "--name", "Sino Chips", "--country", "China", "--json"},
		{"parties", "add", "--org-id", w.Exporter.ID, "--role", "end_user", "--type", "org", "--legal-name", "Example Cloud",
			"--country", "China", "--headquarters-country", "hong kong", "--json"},
		{"classify", "h200", "--to", "China", "--hq", "china", "--json"},
		{"screen", "Example Cloud", "--type", "org", "--country", "China", "--list", writeScreenFile(t, "internal.csv", screenTestList)},
	}
	storeOf := func(args []string) string { // classify and screen --list use no store
		if args[0] == "classify" || args[0] == "screen" {
			return ""
		}
		return dsn
	}
	for _, args := range ok {
		out, err := shipCLI(t, storeOf(args), "", args...)
		if err != nil {
			t.Errorf("tollgate %s: %v", strings.Join(args, " "), err)
			continue
		}
		if args[0] != "screen" && !strings.Contains(out, `"CN"`) {
			t.Errorf("tollgate %s: no CN in\n%s", strings.Join(args, " "), out)
		}
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"orgs", "add", "--kind", "exporter", "--name", "X", "--country", "Narnia"}, `--country: "Narnia" is not a country`},
		{[]string{"parties", "add", "--org-id", w.Exporter.ID, "--role", "end_user", "--legal-name", "X", "--country", "Narnia"}, `--country: "Narnia" is not a country`},
		{[]string{"parties", "add", "--org-id", w.Exporter.ID, "--role", "end_user", "--legal-name", "X", "--country", "CN", "--type", "robot"}, `--type: "robot" is not person, org`},
		{[]string{"classify", "h200", "--to", "Narnia"}, `--to: "Narnia" is not a country`},
		{[]string{"screen", "X", "--country", "Narnia"}, `--country: "Narnia" is not a country`},
		{[]string{"screen", "X", "--type", "robot"}, `--type: "robot" is not person, org`},
		{[]string{"orders", "add", "--destination", "Narnia"}, `--destination: "Narnia" is not a country`},
	}
	for _, tt := range bad {
		_, err := shipCLI(t, storeOf(tt.args), "", tt.args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(errorLine(err), tt.want) {
			t.Errorf("tollgate %s: %v, want a usage error with %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}
