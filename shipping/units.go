package shipping

import (
	"fmt"
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
	exemption string // the exemption heading binding it, or ""
}

// lotUnits counts a lot's imported units: free ones and those bound by an
// exemption (with the first such heading, for messages).
type lotUnits struct {
	free, bound int64
	exemption   string
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
				inv.serials[s] = serialUnit{exemption: exemption}
			}
			continue
		}
		l := inv.lots[e.Units.Lot]
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
// its product, is not bound by an exemption, is not held by another export,
// and is covered by a passing, signed lab report judged against
// applicationID.
func checkUnits(req tollgate.Export, applicationID string, f UnitFacts, now time.Time) error {
	inv := newInventory(req.ExporterOrgID, req.Product, f.Imports)
	heldSerials, heldLots := taken(f.Exports, req.ExporterOrgID, req.Product, req.ID, now)
	cov := newCoverage(f, req.Units, req.ExporterOrgID, req.Product, applicationID)
	if !req.Units.BySerial() {
		return checkLot(req, inv.lots[req.Units.Lot], heldLots[req.Units.Lot], cov)
	}
	var missing, bound, held, untested []string
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
		case !cov.serialPasses(s):
			untested = append(untested, s)
		}
	}
	switch {
	case len(missing) > 0:
		return unitsError(tollgate.EPRECONDITION, "units never imported as "+req.Product, missing)
	case len(bound) > 0:
		return unitsError(tollgate.ECONFLICT, fmt.Sprintf("units bound to a US end use by exemption %s may not be exported", exemption), bound)
	case len(held) > 0:
		return unitsError(tollgate.ECONFLICT, "units already shipped or reserved", held)
	case len(untested) > 0:
		return unitsError(tollgate.EPRECONDITION, "units without a passing signed lab report", untested)
	}
	return nil
}

// checkLot checks a request for a count of units from a lot.
func checkLot(req tollgate.Export, lot lotUnits, held int64, cov coverage) error {
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
	case !cov.lotPasses(name):
		return fail(tollgate.EPRECONDITION, "lot %s has no passing signed lab report", name)
	}
	return nil
}

// coverage holds, for each serial asked about and each lot, the latest lab
// report that counts: one on the exporter's product, judged against the
// license's application, signed with a registered key of its lab that was
// not revoked when the report was recorded. The latest report decides, so a retest
// after a failure can clear units and a failure after a pass stops them.
type coverage struct {
	serials map[string]*tollgate.LabReport
	lots    map[string]*tollgate.LabReport
}

func newCoverage(f UnitFacts, units tollgate.Units, exporter, product, applicationID string) coverage {
	keys := labKeys(f.LabKeys)
	c := coverage{serials: map[string]*tollgate.LabReport{}, lots: map[string]*tollgate.LabReport{}}
	// Only the serials asked about: a report may cover thousands.
	asked := make(map[string]bool, len(units.Serials))
	for _, s := range units.Serials {
		asked[s] = true
	}
	for i := range f.Reports {
		r := &f.Reports[i]
		if r.ExporterOrgID != exporter || r.Product != product || r.ApplicationID != applicationID || !(f.verified || signed(r, keys)) {
			continue
		}
		if r.Units.Lot != "" {
			if later(r, c.lots[r.Units.Lot]) {
				c.lots[r.Units.Lot] = r
			}
			continue
		}
		for _, s := range r.Units.Serials {
			if asked[s] && later(r, c.serials[s]) {
				c.serials[s] = r
			}
		}
	}
	return c
}

func (c coverage) serialPasses(s string) bool { r := c.serials[s]; return r != nil && r.Pass }
func (c coverage) lotPasses(lot string) bool  { r := c.lots[lot]; return r != nil && r.Pass }

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
