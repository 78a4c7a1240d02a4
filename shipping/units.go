package shipping

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
)

// UnitFacts is what CheckReserve needs to know about the requested units:
// the import entries holding them (by serial, or every entry of the lot),
// the lab reports naming them (or the lot) with the keys of the labs that
// signed them, and the exports that name any of them (or the lot). Records
// of other units may be included; they are ignored.
type UnitFacts struct {
	Imports []tollgate.ImportEntry `json:"imports"`
	Reports []tollgate.LabReport   `json:"reports"`
	LabKeys []tollgate.LabKey      `json:"lab_keys"`
	Exports []tollgate.Export      `json:"exports"`

	// verified says that VerifySignatures left in Reports only reports
	// whose signatures verify, so that the checks need not verify again.
	verified bool
}

// VerifySignatures returns f with only the lab reports that are signed by
// a registered key of their lab valid when they were recorded. A caller
// that reads the facts before taking its locks verifies them there, in
// parallel with other callers, and CheckReserve (under the locks) then
// trusts them; reports and keys are never changed once stored.
func (f UnitFacts) VerifySignatures() UnitFacts {
	if f.verified {
		return f
	}
	keys := labKeys(f.LabKeys)
	reports := make([]tollgate.LabReport, 0, len(f.Reports))
	for i := range f.Reports {
		if signed(&f.Reports[i], keys) {
			reports = append(reports, f.Reports[i])
		}
	}
	f.Reports, f.verified = reports, true
	return f
}

func labKeys(ks []tollgate.LabKey) map[string]tollgate.LabKey {
	keys := make(map[string]tollgate.LabKey, len(ks))
	for _, k := range ks {
		keys[k.ID] = k
	}
	return keys
}

// UnitsDetail is the Details of an error about specific units: the serials
// concerned, or a lot and a number of its units.
type UnitsDetail struct {
	Serials []string `json:"serials,omitempty"`
	Lot     string   `json:"lot,omitempty"`
	Count   int64    `json:"count"`
}

// maxNamedUnits bounds how many serials an error message names; Details
// carries them all.
const maxNamedUnits = 10

// unitsError returns an error with code whose message names the first
// serials and whose Details lists them all.
func unitsError(code, msg string, serials []string) *tollgate.Error {
	named := serials[:min(len(serials), maxNamedUnits)]
	list := strings.Join(named, ", ")
	if more := len(serials) - len(named); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	e := tollgate.Errorf(code, "%s: %s (%d units)", msg, list, len(serials))
	e.Details = UnitsDetail{Serials: serials, Count: int64(len(serials))}
	return e
}

// serialUnit is what the import of one serial-numbered unit says of it.
type serialUnit struct {
	exemption string    // the exemption heading binding it, or ""
	entered   time.Time // the entry date
}

// lotUnits counts a lot's imported units: free ones and those bound by an
// exemption (with the first such heading, for messages).
type lotUnits struct {
	free, bound int64
	exemption   string
	entries     []lotEntry
}

// lotEntry is one entry's units of a lot and its entry date.
type lotEntry struct {
	entered time.Time
	count   int64
}

// enteredBy returns how many of the lot's units entered the US on or
// before day.
func (l lotUnits) enteredBy(day time.Time) int64 {
	var n int64
	for _, e := range l.entries {
		if !civilDate(e.entered).After(day) {
			n += e.count
		}
	}
	return n
}

// inventory indexes the units one exporter imported as one product.
type inventory struct {
	serials map[string]serialUnit
	lots    map[string]lotUnits
}

func newInventory(exporter, product string, imports []tollgate.ImportEntry) inventory {
	inv := inventory{serials: map[string]serialUnit{}, lots: map[string]lotUnits{}}
	for i := range imports {
		e := &imports[i]
		if e.ExporterOrgID != exporter || e.Product != product {
			continue
		}
		exemption := e.Exemption
		if e.Bound && exemption == "" {
			exemption = "(unnamed)"
		}
		if e.Units.BySerial() {
			for _, s := range e.Units.Serials {
				inv.serials[s] = serialUnit{exemption: exemption, entered: e.EntryDate}
			}
			continue
		}
		l := inv.lots[e.Units.Lot]
		l.entries = append(l.entries, lotEntry{entered: e.EntryDate, count: e.Units.Count})
		if exemption != "" {
			l.bound += e.Units.Count
			if l.exemption == "" {
				l.exemption = exemption
			}
		} else {
			l.free += e.Units.Count
		}
		inv.lots[e.Units.Lot] = l
	}
	return inv
}

// taken returns the serials and the per-lot counts that exports other than
// skipID hold at now.
func taken(exports []tollgate.Export, exporter, product, skipID string, now time.Time) (map[string]bool, map[string]int64) {
	serials, lots := map[string]bool{}, map[string]int64{}
	for _, e := range exports {
		if e.ExporterOrgID != exporter || e.Product != product || (skipID != "" && e.ID == skipID) || !Holds(e, now) {
			continue
		}
		if e.Units.BySerial() {
			for _, s := range e.Units.Serials {
				serials[s] = true
			}
		} else {
			lots[e.Units.Lot] += e.Units.Count
		}
	}
	return serials, lots
}

// checkUnits checks that every unit of req was imported for its exporter as
// its product, is not bound by an exemption and is not held by another
// export, and returns the lab review that covers it (coverReview).
func checkUnits(req tollgate.Export, lic tollgate.License, f UnitFacts, now time.Time, rules ReviewRules) (*tollgate.LabReport, error) {
	inv := newInventory(req.ExporterOrgID, req.Product, f.Imports)
	heldSerials, heldLots := taken(f.Exports, req.ExporterOrgID, req.Product, req.ID, now)
	if !req.Units.BySerial() {
		if err := checkLot(req, inv.lots[req.Units.Lot], heldLots[req.Units.Lot]); err != nil {
			return nil, err
		}
		return coverReview(req, lic, f, now, rules)
	}
	var missing, bound, held []string
	exemption := ""
	for _, s := range req.Units.Serials {
		u, ok := inv.serials[s]
		switch {
		case !ok:
			missing = append(missing, s)
		case u.exemption != "":
			bound = append(bound, s)
			if exemption == "" {
				exemption = u.exemption
			}
		case heldSerials[s]:
			held = append(held, s)
		}
	}
	switch {
	case len(missing) > 0:
		return nil, unitsError(tollgate.EPRECONDITION, "units never imported as "+req.Product, missing)
	case len(bound) > 0:
		return nil, unitsError(tollgate.ECONFLICT, fmt.Sprintf("units bound to a US end use by exemption %s may not be exported", exemption), bound)
	case len(held) > 0:
		return nil, unitsError(tollgate.ECONFLICT, "units already shipped or reserved", held)
	}
	return coverReview(req, lic, f, now, rules)
}

// checkLot checks a request for a count of units from a lot.
func checkLot(req tollgate.Export, lot lotUnits, held int64) error {
	name, want := req.Units.Lot, req.Units.Count
	detail := UnitsDetail{Lot: name, Count: want}
	fail := func(code, format string, args ...any) error {
		e := tollgate.Errorf(code, format, args...)
		e.Details = detail
		return e
	}
	available := lot.free - held
	switch {
	case lot.free+lot.bound == 0:
		return fail(tollgate.EPRECONDITION, "lot %s was never imported as %s", name, req.Product)
	case available < want && lot.bound > 0 && lot.free+lot.bound-held >= want:
		return fail(tollgate.ECONFLICT, "lot %s: %d units requested, %d available; %d are bound to a US end use by exemption %s and may not be exported (short by %d)",
			name, want, max(0, available), lot.bound, lot.exemption, want-available)
	case available < want && held == 0:
		return fail(tollgate.EPRECONDITION, "lot %s: %d units requested, only %d imported for export (short by %d)", name, want, lot.free, want-lot.free)
	case available < want:
		return fail(tollgate.ECONFLICT, "lot %s: %d units requested, %d available (%d imported, %d already shipped or reserved; short by %d)",
			name, want, max(0, available), lot.free, held, want-available)
	}
	return nil
}

// coverReview returns the lab review that covers req, every shipment being
// reviewed (regime.md §3, §9): the latest signed report on the exporter's
// product, judged against the license's application, on exactly req's
// units (the same serials, or the same count of the same lot) and bound
// to no other export that holds. It must have passed, measured every
// figure below the rule's limits, applied no more tolerance than the
// license allows, examined the agency's minimum share, and be no older
// than the agency's maximum age at now (Ship checks the age again on the
// export date), and postdate the entry of its units. A later failing
// report on any of the units stops them.
// Each refusal is EPRECONDITION naming the rule and the figure.
func coverReview(req tollgate.Export, lic tollgate.License, f UnitFacts, now time.Time, rules ReviewRules) (*tollgate.LabReport, error) {
	keys := labKeys(f.LabKeys)
	boundTo := map[string]string{} // report ID -> the other export holding it
	for _, e := range f.Exports {
		if e.LabReportID != "" && e.ID != req.ID && Holds(e, now) {
			boundTo[e.LabReportID] = e.ID
		}
	}
	want := slices.Clone(req.Units.Serials)
	slices.Sort(want)
	var best, failed *tollgate.LabReport
	var bound []string
	for i := range f.Reports {
		r := &f.Reports[i]
		if r.ExporterOrgID != req.ExporterOrgID || r.Product != req.Product || r.ApplicationID != lic.ApplicationID ||
			!overlaps(r.Units, req.Units) || !(f.verified || signed(r, keys)) {
			continue
		}
		if !r.Pass {
			if later(r, failed) {
				failed = r
			}
			continue
		}
		if !sameUnits(r.Units, req.Units, want) {
			continue
		}
		if other, ok := boundTo[r.ID]; ok {
			bound = append(bound, r.Number+" (export "+other+")")
			continue
		}
		if later(r, best) {
			best = r
		}
	}
	units := describeUnits(req.Units)
	switch {
	case failed != nil && (best == nil || later(failed, best)):
		return nil, unitsFail(req.Units, "lab report %s on %s failed (%s): these units may not be exported", failed.Number, units, strings.Join(failedFindings(failed), "; "))
	case best == nil && len(bound) > 0:
		return nil, unitsFail(req.Units, "every passing lab review of exactly %s already covers another export (%s): each export needs its own review", units, strings.Join(bound, ", "))
	case best == nil:
		return nil, unitsFail(req.Units, "no passing signed lab review of exactly %s: every shipment is reviewed, and a review covers only the units it names", units)
	}
	if err := checkReview(*best, lic, rules, now); err != nil {
		return nil, err
	}
	// Checked when recorded; again here, against the imports as they are.
	if err := CheckReportUnits(*best, f.Imports); err != nil {
		return nil, err
	}
	return best, nil
}

// checkReview checks the covering review r against the rule's limits and
// the agency's rules under lic, for a shipment on day.
func checkReview(r tollgate.LabReport, lic tollgate.License, rules ReviewRules, day time.Time) error {
	switch {
	case r.MeasuredTPP >= rules.MaxTPP:
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s measured TPP %s, not below the rule's limit of %s (%s)",
			r.Number, fmtFloat(r.MeasuredTPP), fmtFloat(rules.MaxTPP), rules.Citation)
	case r.MeasuredDRAMBandwidthGBps >= rules.MaxDRAMBandwidthGBps:
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s measured DRAM bandwidth %s GB/s, not below the rule's limit of %s GB/s (%s)",
			r.Number, fmtFloat(r.MeasuredDRAMBandwidthGBps), fmtFloat(rules.MaxDRAMBandwidthGBps), rules.Citation)
	}
	if err := CheckSampling(r, rules, rules.ToleranceFor(lic)); err != nil {
		return err
	}
	return CheckReviewAge(r.Number, r.TestedAt, day, rules)
}

// CheckReviewAge returns nil when a review numbered number, tested at
// tested, is no older than rules.MaxAge on day (whole UTC days, from the
// test date to day's date); otherwise EPRECONDITION naming both dates.
func CheckReviewAge(number string, tested, day time.Time, rules ReviewRules) error {
	maxDays := int(rules.MaxAge / (24 * time.Hour))
	age := int(civilDate(day).Sub(civilDate(tested)) / (24 * time.Hour))
	if age > maxDays {
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s was tested on %s, %d days before the shipment on %s; the licensing agency allows at most %d days: review the units again",
			number, civilDate(tested).Format(time.DateOnly), age, civilDate(day).Format(time.DateOnly), maxDays)
	}
	return nil
}

// failedFindings returns the findings of a failing report that failed, or
// all of them when none reads as a failure.
func failedFindings(r *tollgate.LabReport) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.Contains(f, "exceeds") || strings.Contains(f, "not below") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return r.Findings
	}
	return out
}

// unitsFail returns EPRECONDITION about units, with them as Details.
func unitsFail(u tollgate.Units, format string, args ...any) error {
	e := tollgate.Errorf(tollgate.EPRECONDITION, format, args...)
	e.Details = UnitsDetail{Serials: u.Serials, Lot: u.Lot, Count: u.Count}
	return e
}

// describeUnits names units for a message: a count of a lot, or serials.
func describeUnits(u tollgate.Units) string {
	if !u.BySerial() {
		return fmt.Sprintf("%d units of lot %s", u.Count, u.Lot)
	}
	named := u.Serials[:min(len(u.Serials), maxNamedUnits)]
	s := fmt.Sprintf("serials %s", strings.Join(named, ", "))
	if more := len(u.Serials) - len(named); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// overlaps reports whether a report's units a share any unit with b: a
// serial, or the lot.
func overlaps(a, b tollgate.Units) bool {
	if a.BySerial() != b.BySerial() {
		return false
	}
	if !a.BySerial() {
		return a.Lot == b.Lot
	}
	if len(b.Serials) < len(a.Serials) {
		a, b = b, a
	}
	in := make(map[string]bool, len(a.Serials))
	for _, s := range a.Serials {
		in[s] = true
	}
	return slices.ContainsFunc(b.Serials, func(s string) bool { return in[s] })
}

// sameUnits reports whether a names exactly units b: the same count of the
// same lot, or the same serials (sortedB holds b's serials sorted).
func sameUnits(a, b tollgate.Units, sortedB []string) bool {
	if a.Count != b.Count || a.Lot != b.Lot {
		return false
	}
	if !a.BySerial() {
		return true
	}
	got := slices.Clone(a.Serials)
	slices.Sort(got)
	return slices.Equal(got, sortedB)
}

// signed reports whether r's signature verifies with the registered key it
// names, which belongs to r's lab and was valid when r was recorded.
func signed(r *tollgate.LabReport, keys map[string]tollgate.LabKey) bool {
	k, ok := keys[r.KeyID]
	if !ok || k.LabOrgID != r.LabOrgID {
		return false
	}
	at := r.RecordedAt
	if at.IsZero() {
		at = r.TestedAt
	}
	switch {
	case !k.ValidAt(at):
		return false
	case signedReports.verified(r, k.PublicKey):
		return true
	case VerifyReport(k.PublicKey, *r, r.Signature) != nil:
		return false
	}
	signedReports.add(r, k.PublicKey)
	return true
}

// later reports whether a is a later report than b (nil is earliest): by
// test time, then recording time, then ID.
func later(a, b *tollgate.LabReport) bool {
	switch {
	case b == nil:
		return true
	case !a.TestedAt.Equal(b.TestedAt):
		return a.TestedAt.After(b.TestedAt)
	case !a.RecordedAt.Equal(b.RecordedAt):
		return a.RecordedAt.After(b.RecordedAt)
	}
	return a.ID > b.ID
}
