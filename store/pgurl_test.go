package store

import (
	"net/url"
	"testing"
)

func TestWithCustomPlans(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://u:p@h:5432/db?sslmode=disable", "force_custom_plan"},
		{"postgres://h/db", "force_custom_plan"},
		{"postgres://h/db?plan_cache_mode=auto&search_path=s", "auto"},
	} {
		got, err := withCustomPlans(tc.dsn)
		if err != nil {
			t.Fatalf("withCustomPlans(%q): %v", tc.dsn, err)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("withCustomPlans(%q) = %q: %v", tc.dsn, got, err)
		}
		if m := u.Query().Get("plan_cache_mode"); m != tc.want {
			t.Errorf("withCustomPlans(%q) = %q: plan_cache_mode %q, want %q", tc.dsn, got, m, tc.want)
		}
		if orig, _ := url.Parse(tc.dsn); orig.Host != u.Host || orig.Path != u.Path || orig.User.String() != u.User.String() {
			t.Errorf("withCustomPlans(%q) = %q changed more than the query", tc.dsn, got)
		}
	}
	if _, err := withCustomPlans("postgres://h/%zz"); err == nil {
		t.Error("withCustomPlans accepted a malformed URL")
	}
}
