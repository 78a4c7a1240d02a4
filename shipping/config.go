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
	return nil
}

// capped reports whether exports to dest count against the cap.
func (c Config) capped(dest string) bool { return slices.Contains(c.CapDestinations, dest) }
