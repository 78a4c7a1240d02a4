package licensing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"tollgate"
)

func TestValidityPeriod(t *testing.T) {
	tests := []struct {
		years    int
		from     time.Time
		wantFrom string
		wantTo   string
	}{
		{4, at("2026-02-10", 17, 30), "2026-02-10", "2030-02-09"},
		{4, day("2028-02-29"), "2028-02-29", "2032-02-28"},
		{1, day("2027-03-01"), "2027-03-01", "2028-02-29"},
		{1, day("2028-02-29"), "2028-02-29", "2029-02-28"},
		{4, day("2026-12-31"), "2026-12-31", "2030-12-30"},
		{2, day("2026-01-01"), "2026-01-01", "2027-12-31"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.LicenseValidityYears = tt.years
		from, to := ValidityPeriod(cfg, tt.from)
		if got := from.Format(time.DateOnly); got != tt.wantFrom {
			t.Errorf("%d years from %s: got from %s, want %s", tt.years, tt.from, got, tt.wantFrom)
		}
		if got := to.Format(time.DateOnly); got != tt.wantTo {
			t.Errorf("%d years from %s: got to %s, want %s", tt.years, tt.from, got, tt.wantTo)
		}
	}
}

// mustLicense returns the license of an application approved in full.
func mustLicense(t *testing.T) tollgate.License {
	t.Helper()
	app, _ := appIn(t, approved)
	lic, err := LicenseFromDecision(DefaultConfig(), app)
	if err != nil {
		t.Fatal(err)
	}
	return lic
}

func TestLicenseFromDecision(t *testing.T) {
	app, c := appIn(t, underReview)
	d := approvePart()
	d.ValidFrom, d.ValidTo = at("2026-03-01", 10, 0), day("2027-02-28")
	app = mustApply(t, app, evDecide(c.next(), d))
	lic, err := LicenseFromDecision(DefaultConfig(), app)
	if err != nil {
		t.Fatal(err)
	}
	if lic.Number != "D000001" || lic.HolderOrgID != applicantOrg || lic.ControlNumber != "Z000001" || lic.Status != tollgate.LicenseActive {
		t.Errorf("got %+v", lic)
	}
	if got, want := lic.Items[0], (tollgate.LicenseItem{Product: h200, ECCN: "3A090.a", Description: "Nvidia H200 SXM 141 GB data-center GPU",
		Quantity: 600, ValueCents: 1_620_000_000}); got != want {
		t.Errorf("got item %+v, want %+v", got, want)
	}
	if got, want := lic.ValidFrom.Format(time.DateOnly)+".."+lic.ValidTo.Format(time.DateOnly), "2026-03-01..2027-02-28"; got != want {
		t.Errorf("got validity %s, want %s", got, want)
	}
	denied, _ := appIn(t, denied)
	if _, err := LicenseFromDecision(DefaultConfig(), denied); errCode(err) != tollgate.ECONFLICT {
		t.Errorf("license from a denial: got %v, want conflict", err)
	}
}

func TestRemainingAndConsume(t *testing.T) {
	lic := mustLicense(t) // 1,000 units, 2,700,000,000 cents
	consumed := []Consumption{{"H200", 400, 1_080_000_000}, {"h200", 100, 270_000_000}}
	rem, err := RemainingOf(lic, consumed)
	if err != nil {
		t.Fatal(err)
	}
	if got := rem[0]; got.RemainingUnits != 500 || got.RemainingCents != 1_350_000_000 || got.UsedUnits != 500 {
		t.Fatalf("got %+v", got)
	}
	tests := []struct {
		name    string
		req     Consumption
		code    string
		message string
	}{
		{"OK", Consumption{"H200", 500, 1_350_000_000}, "", ""},
		{"ErrQuantity", Consumption{"H200", 501, 1_000}, tollgate.ELIMIT, "license quantity exceeded for H200: 501 units requested, 500 remain (over by 1)"},
		{"ErrValue", Consumption{"H200", 10, 1_350_000_001}, tollgate.ELIMIT, "license value exceeded for H200"},
		{"ErrProduct", Consumption{"B200", 1, 1}, tollgate.EINVALID, "does not cover"},
		{"ErrZeroUnits", Consumption{"H200", 0, 0}, tollgate.EINVALID, "positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckConsume(rem, tt.req)
			if errCode(err) != tt.code || (err != nil && !strings.Contains(err.Error(), tt.message)) {
				t.Fatalf("got %v, want code %q mentioning %q", err, tt.code, tt.message)
			}
		})
	}
	if _, err := RemainingOf(lic, []Consumption{{"B200", 1, 1}}); errCode(err) != tollgate.EINVALID {
		t.Errorf("unknown product: got %v", err)
	}
	if _, err := RemainingOf(lic, []Consumption{{"H200", -1, 0}}); errCode(err) != tollgate.EINVALID {
		t.Errorf("negative consumption: got %v", err)
	}
}

func TestStatus(t *testing.T) {
	lic := mustLicense(t)
	full, _ := RemainingOf(lic, nil)
	used, _ := RemainingOf(lic, []Consumption{{"H200", 1000, 2_700_000_000}})
	lastDay := lic.ValidTo.Add(23 * time.Hour)
	revoked, suspended := lic, lic
	revoked.Status, suspended.Status = tollgate.LicenseRevoked, tollgate.LicenseSuspended
	tests := []struct {
		name string
		lic  tollgate.License
		rem  []Remaining
		asOf time.Time
		want tollgate.LicenseStatus
	}{
		{"Active", lic, full, lic.ValidFrom, tollgate.LicenseActive},
		{"ActiveOnLastDay", lic, full, lastDay, tollgate.LicenseActive},
		{"Expired", lic, full, lastDay.Add(time.Hour), tollgate.LicenseExpired},
		{"Exhausted", lic, used, lic.ValidFrom, tollgate.LicenseExhausted},
		{"ExpiredBeatsExhausted", lic, used, lic.ValidTo.AddDate(0, 0, 1), tollgate.LicenseExpired},
		{"Revoked", revoked, full, lic.ValidFrom, tollgate.LicenseRevoked},
		{"Suspended", suspended, full, lic.ValidTo.AddDate(1, 0, 0), tollgate.LicenseSuspended},
	}
	for _, tt := range tests {
		if got := Status(tt.lic, tt.rem, tt.asOf); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestConditionsAcknowledged(t *testing.T) {
	lic := mustLicense(t)
	rem, _ := RemainingOf(lic, nil)
	when := lic.ValidFrom.Add(time.Hour)
	err := CheckUsable(lic, rem, when)
	if errCode(err) != tollgate.EPRECONDITION || !strings.Contains(err.Error(), "2 unacknowledged") {
		t.Fatalf("got %v, want two unacknowledged bindings", err)
	}
	ack := func(role tollgate.PartyRole, id string) tollgate.Acknowledgment {
		return tollgate.Acknowledgment{Role: role, PartyID: id, SignedBy: "Li Wei", RecordedBy: "user-jane", At: when}
	}
	lic.Conditions[0].Acknowledgments = []tollgate.Acknowledgment{ack(tollgate.RoleUltimateConsignee, consigneeID)}
	pending := UnacknowledgedConditions(lic)
	if len(pending) != 1 || pending[0] != (PendingAcknowledgment{"C1", tollgate.RoleEndUser, endUserID}) {
		t.Fatalf("got %+v, want the end user's acknowledgment pending", pending)
	}
	lic.Conditions[0].Acknowledgments = append(lic.Conditions[0].Acknowledgments, ack(tollgate.RoleEndUser, endUserID))
	if err := CheckUsable(lic, rem, when); err != nil {
		t.Fatalf("all acknowledged: %v", err)
	}
	if err := lic.Validate(); err != nil {
		t.Fatalf("license with acknowledgments: %v", err)
	}
	if err := CheckUsable(lic, rem, lic.ValidFrom.AddDate(0, 0, -1)); errCode(err) != tollgate.EPRECONDITION {
		t.Errorf("before validity: got %v", err)
	}
	lic.Status = tollgate.LicenseSuspended
	if err := CheckUsable(lic, rem, when); err == nil || !strings.Contains(err.Error(), "suspended") {
		t.Errorf("suspended: got %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, mutate := range []func(*Config){
		func(c *Config) { c.LicenseValidityYears = 0 },
		func(c *Config) { c.MaxDocumentBytes = 0 },
		func(c *Config) { c.DocumentTypes = []string{""} },
	} {
		c := DefaultConfig()
		mutate(&c)
		if errCode(c.Validate()) != tollgate.EINVALID {
			t.Errorf("config %+v: want invalid", c)
		}
	}
}

// TestDecisionValidity checks the validity a decision may set: from the
// decision's day on, for at most the configured years (15 CFR 750.7(g)).
// D000004 was issued on 7 Dec 2026 valid 2026-01-01 to 9999-01-01: both
// ends are refused, each naming its field.
func TestDecisionValidity(t *testing.T) {
	decided := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		from, to string
		years    int
		field    string
	}{
		{"OK/FromTheDecisionDay", "2026-12-07", "2030-12-06", 0, ""},
		{"OK/Later", "2027-01-01", "2027-06-30", 0, ""},
		{"OK/ConfiguredShorter", "2026-12-07", "2028-12-06", 2, ""},
		{"ErrBackdated", "2026-01-01", "2027-01-01", 0, "decision.valid_from"},
		{"ErrDayBefore", "2026-12-06", "2027-01-01", 0, "decision.valid_from"},
		{"ErrYear9999", "2026-12-07", "9999-01-01", 0, "decision.valid_to"},
		{"ErrD000004", "2026-01-01", "9999-01-01", 0, "decision.valid_from"},
		{"ErrOneDayTooLong", "2026-12-07", "2030-12-07", 0, "decision.valid_to"},
		{"ErrOverConfigured", "2026-12-07", "2028-12-07", 2, "decision.valid_to"},
		{"ErrEndsBeforeStart", "2027-01-02", "2027-01-01", 0, "decision.valid_to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := appIn(t, underReview)
			d := approveAll()
			d.ValidFrom, d.ValidTo = day(tt.from), day(tt.to)
			ev := evDecide(decided, d)
			ev.ValidityYears = tt.years
			next, _, err := Transition(app, ev)
			var e *tollgate.Error
			switch {
			case tt.field == "" && err != nil:
				t.Fatal(err)
			case tt.field == "" && (!next.Decision.ValidFrom.Equal(day(tt.from)) || !next.Decision.ValidTo.Equal(day(tt.to))):
				t.Errorf("got validity %v..%v, want %s..%s", next.Decision.ValidFrom, next.Decision.ValidTo, tt.from, tt.to)
			case tt.field != "" && (!errors.As(err, &e) || e.Code != tollgate.EINVALID || e.Field != tt.field):
				t.Fatalf("got %v, want invalid on %s", err, tt.field)
			}
		})
	}
}
