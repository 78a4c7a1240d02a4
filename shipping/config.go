// Package shipping holds the pure core of moving controlled chips: the
// Section 232 duty on import entries (Duty, Assess), lab reports judged
// against the application's figures and signed with the lab's Ed25519 key
// (Judge, SignReport, VerifyReport, CheckReport), US shipments and the H200
// rule's 50% cap (USUnits, CapPosition), exports to China and Macau in two
// phases (CheckReserve, Reserve, Ship, Void, Expire), the order state
// machine with the PRC's standing (TransitionOrder, SetPRCStatus), and the
// period reports (Report, WriteCSV, WriteJSON).
//
// The rules read neither the clock, the environment nor a database: callers
// pass the time and the facts in — the records, or the sums a store computes
// under its locks — and persist what comes out. Service (service*.go) is
// that caller for tollgate's store: each use case is one transaction that
// locks, reads, decides with these rules, writes and audits. The rules are
// those of regime.md §3 (the cap and the lab review), §5 (the duty) and §7
// (China's side).
package shipping

import (
	"slices"
	"time"

	"tollgate"
	"tollgate/classify"
)

// Config holds the settings of the shipping rules that an installation may
// change without a code change.
type Config struct {
	// CapBP is the China cap as a share of US units, in basis points: 5000
	// is the H200 rule's 50%. The cap is floor(US units x CapBP / 10000).
	CapBP int `json:"cap_bp"`
	// CapDestinations are the destinations whose exports count against the
	// cap together: classify's "China or Macau" (CN, HK, MO).
	CapDestinations []string `json:"cap_destinations"`
	// ReservationTTL is how long a reservation holds its units, license
	// quantity and cap room before it expires unshipped.
	ReservationTTL time.Duration `json:"reservation_ttl"`
	// RefusedPRC are the PRC statuses of an order that refuse a
	// reservation.
	RefusedPRC []tollgate.PRCStatus `json:"refused_prc"`
	// Review holds the licensing agency's rules for the third-party lab
	// review of every export (the sixth certification).
	Review ReviewRules `json:"review"`
}

// ReviewRules are the rules a lab review must meet (regime.md §3, §9): the
// H200 rule's absolute limits, which every measured figure must be below
// whatever the tolerance; the agency's tolerance against the application's
// figures (a license condition may tighten it, never loosen it); the
// smallest share of the covered units the lab must examine; and how long
// before a shipment its review may have been made.
type ReviewRules struct {
	// MaxTPP and MaxDRAMBandwidthGBps are the rule's limits: a measured
	// figure at or above one fails the review. Citation names the rule.
	MaxTPP               float64 `json:"max_tpp"`
	MaxDRAMBandwidthGBps float64 `json:"max_dram_bandwidth_gbps"`
	Citation             string  `json:"citation"`
	// ToleranceBP is the agency's tolerance, in basis points: a measured
	// figure may exceed the application's by at most this much.
	ToleranceBP int `json:"tolerance_bp"`
	// MinExaminedBP is the smallest share of a review's units the lab
	// must examine, in basis points, rounded up to whole units.
	MinExaminedBP int `json:"min_examined_bp"`
	// MaxAge is the longest a review may precede the shipment it covers
	// (whole days, from the test date to the export date).
	MaxAge time.Duration `json:"max_age"`
}

// DefaultReviewRules returns the review as tollgate reads the rule: the
// limits of the latest case-by-case rule in classify's default rulebook
// (TPP 21,000, 6,500 GB/s), a 5% tolerance, every unit examined, and a
// review at most 30 days before shipment. The tolerance, the share and the
// age are the licensing agency's settings; the rule itself gives none.
func DefaultReviewRules() ReviewRules {
	r := ReviewRules{ToleranceBP: 500, MinExaminedBP: 10000, MaxAge: 30 * 24 * time.Hour}
	var latest time.Time
	for _, c := range classify.Default().CaseByCase {
		if c.Effective.After(latest) {
			latest = c.Effective
			r.MaxTPP, r.MaxDRAMBandwidthGBps, r.Citation = c.MaxTPP, c.MaxDRAMBandwidthGBps, c.Citation
		}
	}
	return r
}

// Validate checks that every review setting is usable.
func (r ReviewRules) Validate() error {
	switch {
	case r.MaxTPP <= 0 || r.MaxDRAMBandwidthGBps <= 0:
		return tollgate.FieldErrorf("review.max_tpp", "the rule's limits must be positive; got TPP %v, %v GB/s", r.MaxTPP, r.MaxDRAMBandwidthGBps)
	case r.ToleranceBP < 0 || r.ToleranceBP > tollgate.MaxToleranceBP:
		return tollgate.FieldErrorf("review.tolerance_bp", "must be 0 to %d; got %d", tollgate.MaxToleranceBP, r.ToleranceBP)
	case r.MinExaminedBP < 1 || r.MinExaminedBP > 10000:
		return tollgate.FieldErrorf("review.min_examined_bp", "must be 1 to 10000; got %d", r.MinExaminedBP)
	case r.MaxAge < 24*time.Hour || r.MaxAge > 365*24*time.Hour:
		return tollgate.FieldErrorf("review.max_age", "must be 1 to 365 days; got %s", r.MaxAge)
	}
	return nil
}

// ToleranceFor returns the tolerance the agency allows under lic: the
// default, or the tightest lab tolerance a condition of lic sets.
func (r ReviewRules) ToleranceFor(lic tollgate.License) int {
	tol := r.ToleranceBP
	for _, c := range lic.Conditions {
		if c.LabToleranceBP > 0 && c.LabToleranceBP < tol {
			tol = c.LabToleranceBP
		}
	}
	return tol
}

// MinExamined returns how many of n covered units a lab must examine.
func (r ReviewRules) MinExamined(n int64) int64 {
	bp := int64(r.MinExaminedBP)
	return n/10000*bp + (n%10000*bp+9999)/10000
}

// DefaultConfig returns the rules as the H200 rule states them: a 50% cap
// over China (Hong Kong included) and Macau, reservations held for 24 hours, and orders blocked
// at Chinese customs refused.
func DefaultConfig() Config {
	return Config{
		CapBP:           5000,
		CapDestinations: classify.ChinaOrMacau(),
		ReservationTTL:  24 * time.Hour,
		RefusedPRC:      []tollgate.PRCStatus{tollgate.PRCBlockedAtCustoms},
		Review:          DefaultReviewRules(),
	}
}

// Validate checks that every setting is usable.
func (c Config) Validate() error {
	switch {
	case c.CapBP < 0 || c.CapBP > 10000:
		return tollgate.FieldErrorf("cap_bp", "must be 0 to 10000; got %d", c.CapBP)
	case len(c.CapDestinations) == 0 || slices.ContainsFunc(c.CapDestinations, func(s string) bool { return !tollgate.IsCountryCode(s) }):
		return tollgate.FieldErrorf("cap_destinations", "at least one ISO 3166-1 alpha-2 code, all valid")
	case c.ReservationTTL < time.Minute || c.ReservationTTL > 90*24*time.Hour:
		return tollgate.FieldErrorf("reservation_ttl", "must be 1 minute to 90 days; got %s", c.ReservationTTL)
	case slices.ContainsFunc(c.RefusedPRC, func(s tollgate.PRCStatus) bool { return !s.Valid() }):
		return tollgate.FieldErrorf("refused_prc", "unknown PRC status in %v", c.RefusedPRC)
	}
	return c.Review.Validate()
}

// capped reports whether exports to dest count against the cap.
func (c Config) capped(dest string) bool { return slices.Contains(c.CapDestinations, dest) }
