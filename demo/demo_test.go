package demo_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/demo"
	"tollgate/internal/testenv"
	"tollgate/screen/screeneval"
	"tollgate/store"
)

// sqliteDSN returns a fresh SQLite store in t's temporary directory.
func sqliteDSN(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
}

// postgresDSN creates a schema of its own for t on the server named by
// TOLLGATE_TEST_POSTGRES and returns a URL selecting it; the schema is
// dropped when t ends. It skips t without the variable.
func postgresDSN(t *testing.T) string {
	t.Helper()
	return testenv.PostgresSchema(t, "tollgate_demo_")
}

// realLists returns the CSL, OFAC and UN files of the shared data, skipping
// t when they are absent.
func realLists(t *testing.T) []string {
	csl, ofac, un, _ := screeneval.ListFiles(filepath.Join(testenv.DataDir(t), "lists"))
	paths := slices.DeleteFunc([]string{csl, ofac, un}, func(p string) bool { return p == "" })
	if len(paths) == 0 {
		t.Skip("no CSL, OFAC or UN list in the shared data")
	}
	return paths
}

// play runs the demo on a fresh store at dsn and returns its result.
func play(t *testing.T, dsn string, lists []string) *demo.Result {
	t.Helper()
	ctx := context.Background()
	clock := demo.NewClock(time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC))
	db, err := store.Open(ctx, dsn, clock.Now)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := auditlog.GenerateKey(rand.Reader, "tollgate-demo-test")
	if err != nil {
		t.Fatal(err)
	}
	res, err := demo.Run(ctx, demo.Options{DB: db, Clock: clock, Lists: lists, AuditKey: key,
		BundleDir: filepath.Join(t.TempDir(), "bundle")})
	if err != nil {
		t.Fatalf("demo.Run: %v", err)
	}
	return res
}

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		dsn   func(*testing.T) string
		lists func(*testing.T) []string
	}{
		{"SQLiteRealLists", sqliteDSN, realLists},
		{"SQLiteInternalListOnly", sqliteDSN, func(*testing.T) []string { return nil }},
		{"PostgresRealLists", postgresDSN, realLists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, lists := tt.dsn(t), tt.lists(t)
			res := play(t, dsn, lists)
			checkFigures(t, res.Figures, len(lists) > 0)
		})
	}
}

// checkFigures checks the final figures of the story.
func checkFigures(t *testing.T, f demo.Figures, real bool) {
	t.Helper()
	if got, want := f.RealLists, real; got != want {
		t.Errorf("real_lists = %t, want %t", got, want)
	}
	if got, want := f.H200.H20TPPRatio, 6.69; got != want {
		t.Errorf("H200/H20 TPP ratio = %v, want %v", got, want)
	}
	checkLicenses(t, f)
	checkMoney(t, f)
	if got, want := f.USUnitsShipped, int64(12000); got != want {
		t.Errorf("us_units_shipped = %d, want %d", got, want)
	}
	if got, want := f.ChinaUnitsShipped, int64(5500); got != want {
		t.Errorf("china_units_shipped = %d, want %d", got, want)
	}
	if 2*f.ChinaUnitsShipped > f.USUnitsShipped {
		t.Errorf("china_units_shipped %d is over 50%% of us_units_shipped %d", f.ChinaUnitsShipped, f.USUnitsShipped)
	}
	if got, want := f.CapHeadroom, int64(500); got != want {
		t.Errorf("cap_headroom = %d, want %d", got, want)
	}
	if f.CapRefusals != 1 || f.PRCRefusals != 1 {
		t.Errorf("cap_refusals, prc_refusals = %d, %d, want 1, 1", f.CapRefusals, f.PRCRefusals)
	}
	checkBlocked(t, f, real)
	a := f.Audit
	if !a.Verified || a.Records == 0 || a.Records != a.CheckpointSize {
		t.Errorf("audit = %+v, want a verified bundle of checkpoint_size records", a)
	}
	if got, want := len(f.Logins), 10; got != want {
		t.Errorf("%d logins, want %d (one per user)", got, want)
	}
	for _, l := range f.Logins {
		if !strings.HasPrefix(l.Token, "tg_") {
			t.Errorf("login %s: token %q is not an API token", l.Email, l.Token)
		}
	}
}

func checkLicenses(t *testing.T, f demo.Figures) {
	t.Helper()
	if got, want := f.LicensesIssued, 2; got != want {
		t.Fatalf("licenses_issued = %d, want %d", got, want)
	}
	want := map[string]struct {
		quantity   int64
		conditions int
	}{
		"Beijing ByteDance Technology Co., Ltd.": {4000, 3},
		"Alibaba Cloud Computing Co., Ltd.":      {2500, 1},
	}
	for _, l := range f.Licenses {
		w, ok := want[l.Customer]
		switch {
		case !ok:
			t.Errorf("license %s for %q, want licenses for ByteDance and Alibaba only", l.Number, l.Customer)
		case l.Quantity != w.quantity || len(l.Conditions) != w.conditions:
			t.Errorf("license %s for %s: %d units, %d conditions; want %d, %d", l.Number, l.Customer, l.Quantity, len(l.Conditions), w.quantity, w.conditions)
		case !tollgateLicenseNumber(l.Number):
			t.Errorf("license number %q, want a letter and six digits", l.Number)
		}
	}
	states := map[string]int{}
	for _, a := range f.Applications {
		states[a.State]++
	}
	for _, s := range []tollgate.ApplicationState{tollgate.ApplicationApproved, tollgate.ApplicationApprovedInPart, tollgate.ApplicationReturned} {
		if states[string(s)] != 1 {
			t.Errorf("applications by state = %v, want one approved, one approved in part, one returned", states)
		}
	}
}

func tollgateLicenseNumber(s string) bool {
	return len(s) == 7 && s[0] >= 'A' && s[0] <= 'Z' && strings.Trim(s[1:], "0123456789") == ""
}

func checkMoney(t *testing.T, f demo.Figures) {
	t.Helper()
	if got, want := f.EnteredValueCents, int64(5500*25_000_00); got != want {
		t.Errorf("entered_value_cents = %d, want %d", got, want)
	}
	if f.DutyPaidCents*4 != f.EnteredValueCents || f.DutyRateBP != 2500 {
		t.Errorf("duty_paid_cents = %d (%d bp) on %d entered, want exactly 25%%", f.DutyPaidCents, f.DutyRateBP, f.EnteredValueCents)
	}
	if got, want := f.RevenueCents, int64(5500*27_000_00); got != want {
		t.Errorf("revenue_cents = %d, want %d", got, want)
	}
	wantLost := map[string]int64{"license_denied": (1500 + 3000) * 27_000_00, "prc_blocked": (1000 + 800) * 27_000_00}
	for reason, want := range wantLost {
		if got := f.LostRevenueCents[reason]; got != want {
			t.Errorf("lost_revenue_cents[%s] = %d, want %d", reason, got, want)
		}
	}
}

func checkBlocked(t *testing.T, f demo.Figures, real bool) {
	t.Helper()
	huaweiList := "INTERNAL"
	if real {
		huaweiList = "EL"
	}
	want := map[string]struct{ list, citation string }{
		"Beijing Huawei Digital Technologies Co., Ltd.": {huaweiList, "84 FR 22961"},
		"Moore Threads Technology Co., Ltd.":            {"INTERNAL", "88 FR 71991"},
	}
	if got := len(f.BlockedParties); got != len(want) {
		t.Errorf("%d blocked parties %+v, want %d", got, f.BlockedParties, len(want))
	}
	for _, b := range f.BlockedParties {
		w, ok := want[b.Name]
		if !ok || b.List != w.list || !strings.Contains(b.Citation, w.citation) {
			t.Errorf("blocked party %+v, want one of %v", b, want)
		}
	}
}

// BenchmarkRun plays the whole story on a fresh SQLite store with the
// shared CSL, OFAC and UN lists; the target is well under a minute on two
// cores (`go test ./demo -bench Run -benchtime 1x`).
func BenchmarkRun(b *testing.B) {
	csl, ofac, un, _ := screeneval.ListFiles(filepath.Join(testenv.DataDir(b), "lists"))
	lists := slices.DeleteFunc([]string{csl, ofac, un}, func(p string) bool { return p == "" })
	key, err := auditlog.GenerateKey(rand.Reader, "tollgate-demo-bench")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		clock := demo.NewClock(time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC))
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "demo.db"), clock.Now)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		_, err = demo.Run(ctx, demo.Options{DB: db, Clock: clock, Lists: lists, AuditKey: key, BundleDir: filepath.Join(dir, "bundle")})
		b.StopTimer()
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}

// TestNarrativeAgreesWithRecords checks that the story's dated lines say
// what the records hold: BIS accepts the applications on the day their
// accepted_at says and refers them the next day, and the token line, dated
// on the real clock, says it comes after the story.
func TestNarrativeAgreesWithRecords(t *testing.T) {
	dsn := sqliteDSN(t)
	res := play(t, dsn, nil)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var accepted time.Time
	if err := db.View(ctx, func(tx *store.Tx) error {
		sa, err := tx.ApplicationByControlNumber(ctx, "Z000001")
		if err == nil {
			accepted = sa.AcceptedAt
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	var acceptLine, referLine, tokenLine *demo.Event
	for i, e := range res.Events {
		switch {
		case strings.Contains(e.Text, "accepts the three applications"):
			acceptLine = &res.Events[i]
		case strings.Contains(e.Text, "refers them to DOD"):
			referLine = &res.Events[i]
		case strings.Contains(e.Text, "API token per user"):
			tokenLine = &res.Events[i]
		}
	}
	switch {
	case acceptLine == nil || referLine == nil || tokenLine == nil:
		t.Fatalf("the story lacks its accept, refer or token line:\n%v", res.Events)
	case day(acceptLine.At) != day(accepted):
		t.Errorf("the story accepts on %s, the record on %s", day(acceptLine.At), day(accepted))
	case !referLine.At.After(acceptLine.At):
		t.Errorf("the referral (%s) does not follow the acceptance (%s)", day(referLine.At), day(acceptLine.At))
	case !strings.Contains(tokenLine.Text, "after the story"):
		t.Errorf("the token line %q, dated %s, does not say it comes after the story", tokenLine.Text, day(tokenLine.At))
	}
}
