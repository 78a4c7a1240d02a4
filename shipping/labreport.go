package shipping

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"tollgate"
	"tollgate/classify"
)

// reportContext separates lab report signatures from every other use of a
// lab's key.
// Version 2 signs the units examined and the sampling plan: reports signed
// as version 1 no longer verify, and cover nothing.
const reportContext = "tollgate lab report v2\n"

// Judge returns r judged against spec, the chip as the license application
// states it, under the agency's rules: the measured TPP (classify's TPP over
// the measured peaks), the specification's TPP and DRAM bandwidth, pass or
// fail, and the findings that explain it. The units pass when each measured
// figure is below the rule's absolute limit (rules.MaxTPP,
// rules.MaxDRAMBandwidthGBps) whatever the tolerance, and does not exceed
// the stated figure by more than the report's tolerance. An invalid report,
// spec or rules is EINVALID.
func Judge(r tollgate.LabReport, spec tollgate.Chip, rules ReviewRules) (tollgate.LabReport, error) {
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("shipping.Judge: %w", err)
	}
	if err := spec.Validate(); err != nil {
		return r, fmt.Errorf("shipping.Judge: %w", prefixField("spec.", err))
	}
	if err := rules.Validate(); err != nil {
		return r, fmt.Errorf("shipping.Judge: %w", err)
	}
	r.MeasuredTPP = classify.Measure(tollgate.Chip{Peaks: r.Measured}).TPP
	r.SpecTPP = classify.Measure(spec).TPP
	r.SpecDRAMBandwidthGBps = spec.DRAMBandwidthGBps
	tpp, tppOK := judgeFigure("TPP", r.MeasuredTPP, r.SpecTPP, r.ToleranceBP, "")
	bw, bwOK := judgeFigure("DRAM bandwidth", r.MeasuredDRAMBandwidthGBps, r.SpecDRAMBandwidthGBps, r.ToleranceBP, " GB/s")
	tppLimit, tppBelow := judgeLimit("TPP", r.MeasuredTPP, rules.MaxTPP, "", rules.Citation)
	bwLimit, bwBelow := judgeLimit("DRAM bandwidth", r.MeasuredDRAMBandwidthGBps, rules.MaxDRAMBandwidthGBps, " GB/s", rules.Citation)
	r.Pass = tppOK && bwOK && tppBelow && bwBelow
	r.Findings = []string{tpp, bw, tppLimit, bwLimit}
	return r, nil
}

// judgeFigure compares one measured figure with the stated one plus the
// tolerance and explains the outcome.
func judgeFigure(name string, measured, stated float64, toleranceBP int, unit string) (string, bool) {
	limit := stated * float64(10000+toleranceBP) / 10000
	tol := fmtBP(toleranceBP) + "%"
	if measured <= limit {
		return fmt.Sprintf("measured %s %s%s is within the stated %s%s plus %s tolerance (%s%s)",
			name, fmtFloat(measured), unit, fmtFloat(stated), unit, tol, fmtFloat(limit), unit), true
	}
	return fmt.Sprintf("measured %s %s%s exceeds the stated %s%s plus %s tolerance (%s%s) by %s%s",
		name, fmtFloat(measured), unit, fmtFloat(stated), unit, tol, fmtFloat(limit), unit, fmtFloat(measured-limit), unit), false
}

// judgeLimit checks one measured figure against the rule's absolute limit,
// which no tolerance widens, and explains the outcome.
func judgeLimit(name string, measured, limit float64, unit, citation string) (string, bool) {
	if measured < limit {
		return fmt.Sprintf("measured %s %s%s is below the rule's limit of %s%s", name, fmtFloat(measured), unit, fmtFloat(limit), unit), true
	}
	return fmt.Sprintf("measured %s %s%s is not below the rule's limit of %s%s (%s): the chip does not qualify for case-by-case review",
		name, fmtFloat(measured), unit, fmtFloat(limit), unit, citation), false
}

// fmtFloat writes v rounded to two decimals, without trailing zeros.
func fmtFloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// signedReport is the part of a lab report its signature covers, in a fixed
// field order: everything the lab states and the judgment, never the
// store's ID or recording details. Serials are sorted so that the order a
// store keeps them in does not matter.
type signedReport struct {
	Number                    string       `json:"number"`
	LabOrgID                  string       `json:"lab_org_id"`
	TechnicianUserID          string       `json:"technician_user_id"`
	ExporterOrgID             string       `json:"exporter_org_id"`
	ApplicationID             string       `json:"application_id"`
	Product                   string       `json:"product"`
	Serials                   []string     `json:"serials"`
	Lot                       string       `json:"lot"`
	Count                     int64        `json:"count"`
	Examined                  int64        `json:"examined"`
	SamplingPlan              string       `json:"sampling_plan"`
	Measured                  []signedPeak `json:"measured"`
	MeasuredDRAMBandwidthGBps float64      `json:"measured_dram_bandwidth_gbps"`
	Method                    string       `json:"method"`
	ToleranceBP               int          `json:"tolerance_bp"`
	TestedAt                  string       `json:"tested_at"`
	MeasuredTPP               float64      `json:"measured_tpp"`
	SpecTPP                   float64      `json:"spec_tpp"`
	SpecDRAMBandwidthGBps     float64      `json:"spec_dram_bandwidth_gbps"`
	Pass                      bool         `json:"pass"`
	Findings                  []string     `json:"findings"`
	KeyID                     string       `json:"key_id"`
}

type signedPeak struct {
	Precision string  `json:"precision"`
	Value     float64 `json:"value"`
	BitLength int     `json:"bit_length"`
}

// CanonicalReport returns the bytes a lab signs for r: a context line, then
// the compact JSON of the signed fields in a fixed order, with serials
// sorted and the test time in UTC (RFC 3339, nanoseconds).
func CanonicalReport(r tollgate.LabReport) []byte {
	peaks := make([]signedPeak, len(r.Measured))
	for i, p := range r.Measured {
		peaks[i] = signedPeak{Precision: p.Precision, Value: p.Value, BitLength: p.BitLength}
	}
	serials := slices.Clone(r.Units.Serials)
	slices.Sort(serials)
	b, err := json.Marshal(signedReport{
		Number: r.Number, LabOrgID: r.LabOrgID, TechnicianUserID: r.TechnicianUserID,
		ExporterOrgID: r.ExporterOrgID, ApplicationID: r.ApplicationID, Product: r.Product,
		Serials: serials, Lot: r.Units.Lot, Count: r.Units.Count, Examined: r.Examined, SamplingPlan: r.SamplingPlan,
		Measured: peaks, MeasuredDRAMBandwidthGBps: r.MeasuredDRAMBandwidthGBps,
		Method: r.Method, ToleranceBP: r.ToleranceBP, TestedAt: r.TestedAt.UTC().Format(time.RFC3339Nano),
		MeasuredTPP: r.MeasuredTPP, SpecTPP: r.SpecTPP, SpecDRAMBandwidthGBps: r.SpecDRAMBandwidthGBps,
		Pass: r.Pass, Findings: r.Findings, KeyID: r.KeyID,
	})
	if err != nil {
		// Only NaN or infinite figures fail to marshal; Validate refuses them.
		panic("shipping: marshal lab report: " + err.Error())
	}
	return append([]byte(reportContext), b...)
}

// SignReport signs r's canonical bytes with the lab's private key. r must be
// valid and judged, and its KeyID must name priv's public key (the key id is
// signed too).
func SignReport(priv ed25519.PrivateKey, r tollgate.LabReport) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("shipping.SignReport: %w", tollgate.FieldErrorf("private_key", "must be an Ed25519 private key of %d bytes", ed25519.PrivateKeySize))
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("shipping.SignReport: %w", err)
	}
	if want := tollgate.LabKeyID(priv.Public().(ed25519.PublicKey)); r.KeyID != want {
		return nil, fmt.Errorf("shipping.SignReport: %w", tollgate.FieldErrorf("key_id", "is %q, want %q for this key", r.KeyID, want))
	}
	return ed25519.Sign(priv, CanonicalReport(r)), nil
}

// VerifyReport returns nil when sig is pub's signature of r's canonical
// bytes and r names pub as its key; otherwise EINVALID on the signature.
func VerifyReport(pub ed25519.PublicKey, r tollgate.LabReport, sig []byte) error {
	switch {
	case len(pub) != ed25519.PublicKeySize:
		return fmt.Errorf("shipping.VerifyReport: %w", tollgate.FieldErrorf("public_key", "must be an Ed25519 public key of %d bytes", ed25519.PublicKeySize))
	case r.KeyID != tollgate.LabKeyID(pub):
		return fmt.Errorf("shipping.VerifyReport: %w", tollgate.FieldErrorf("key_id", "report %s names key %q, not this one (%s)", r.Number, r.KeyID, tollgate.LabKeyID(pub)))
	case !verified.verify(pub, CanonicalReport(r), sig):
		return fmt.Errorf("shipping.VerifyReport: %w", tollgate.FieldErrorf("signature", "does not verify for report %s with key %s", r.Number, r.KeyID))
	}
	return nil
}

// verified remembers the signatures that verified. A lab report is checked
// again on every reservation of its units, and Ed25519 verification was
// the largest cost of a reservation's checks; the same key, bytes and
// signature always verify the same way, so a match on the SHA-256 of all
// three is as good as verifying again.
var verified = &signatureCache{}

// maxVerifiedSignatures bounds the cache; it is emptied when full.
const maxVerifiedSignatures = 1 << 16

type signatureCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]struct{}
}

// verify reports whether sig is pub's signature of msg.
func (c *signatureCache) verify(pub ed25519.PublicKey, msg, sig []byte) bool {
	h := sha256.New()
	for _, b := range [][]byte{pub, msg, sig} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	c.mu.Lock()
	_, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return true
	}
	if !ed25519.Verify(pub, msg, sig) {
		return false
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxVerifiedSignatures {
		c.m = make(map[[sha256.Size]byte]struct{})
	}
	c.m[k] = struct{}{}
	c.mu.Unlock()
	return true
}

// CheckReport returns nil when r may be recorded under the agency's rules:
// it is valid; key is a registered key of r's lab, not revoked when r was
// recorded (or, before that, tested); r.Signature verifies with it; r
// applies no more tolerance than the agency allows and examined at least
// its minimum share of the units; the signed judgment is the one Judge
// gives against spec, the application's figures; and every unit it covers
// was imported for its exporter before it was tested (CheckReportUnits).
func CheckReport(r tollgate.LabReport, spec tollgate.Chip, key tollgate.LabKey, imports []tollgate.ImportEntry, rules ReviewRules) error {
	if err := checkReport(r, spec, key, imports, rules); err != nil {
		return fmt.Errorf("shipping.CheckReport: %w", err)
	}
	return nil
}

func checkReport(r tollgate.LabReport, spec tollgate.Chip, key tollgate.LabKey, imports []tollgate.ImportEntry, rules ReviewRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := key.Validate(); err != nil {
		return prefixField("key.", err)
	}
	signedAt := r.RecordedAt
	if signedAt.IsZero() {
		signedAt = r.TestedAt
	}
	switch {
	case key.LabOrgID != r.LabOrgID:
		return tollgate.FieldErrorf("key_id", "key %s is registered with lab %s, not %s", key.ID, key.LabOrgID, r.LabOrgID)
	case !key.ValidAt(signedAt):
		return tollgate.FieldErrorf("key_id", "key %s was revoked on %s", key.ID, key.RevokedAt.UTC().Format(time.RFC3339))
	}
	if err := VerifyReport(key.PublicKey, r, r.Signature); err != nil {
		return err
	}
	if err := CheckSampling(r, rules, rules.ToleranceBP); err != nil {
		return err
	}
	judged, err := Judge(r, spec, rules)
	if err != nil {
		return err
	}
	if judged.Pass != r.Pass || judged.MeasuredTPP != r.MeasuredTPP || judged.SpecTPP != r.SpecTPP ||
		judged.SpecDRAMBandwidthGBps != r.SpecDRAMBandwidthGBps || !slices.Equal(judged.Findings, r.Findings) {
		return tollgate.FieldErrorf("pass", "the signed judgment (pass %t, TPP %s against %s) is not the rule's (pass %t, TPP %s against %s)",
			r.Pass, fmtFloat(r.MeasuredTPP), fmtFloat(r.SpecTPP), judged.Pass, fmtFloat(judged.MeasuredTPP), fmtFloat(judged.SpecTPP))
	}
	return CheckReportUnits(r, imports)
}

// CheckSampling returns nil when r applied no more than toleranceBP, the
// tolerance the agency allows (ReviewRules.ToleranceFor a license), and
// examined at least the agency's minimum share of its units; otherwise
// EPRECONDITION naming the rule and the figure.
func CheckSampling(r tollgate.LabReport, rules ReviewRules, toleranceBP int) error {
	if r.ToleranceBP > toleranceBP {
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s applies a %s%% tolerance; the licensing agency allows at most %s%% (lab review tolerance)",
			r.Number, fmtBP(r.ToleranceBP), fmtBP(toleranceBP))
	}
	if want := rules.MinExamined(r.Units.Count); r.Examined < want {
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s examined %d of %d units (sampling plan: %s); the licensing agency's minimum is %d (%s%% of the units)",
			r.Number, r.Examined, r.Units.Count, r.SamplingPlan, want, fmtBP(rules.MinExaminedBP))
	}
	return nil
}

// CheckIndependence returns nil when lab may review exporter's units for
// consignee (nil when the application names none): the lab is located in
// the US, is not the exporter, and shares neither a name nor an ultimate
// parent with the exporter or the consignee (names compared without case,
// punctuation or spacing). Otherwise EPRECONDITION naming the tie.
func CheckIndependence(lab, exporter tollgate.Org, consignee *tollgate.Party) error {
	if lab.Country != "US" {
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab %s is located in %s: the rule asks for a third-party lab in the US", lab.Name, lab.Country)
	}
	if lab.ID == exporter.ID {
		return tollgate.Errorf(tollgate.EPRECONDITION, "lab %s is the exporter: the review must be a third party's", lab.Name)
	}
	labNames := entityNames(lab.Name, lab.UltimateParent)
	tie := func(role string, names []string) error {
		for _, n := range names {
			if slices.Contains(labNames, n) {
				return tollgate.Errorf(tollgate.EPRECONDITION, "lab %s is not independent of the %s: they share the name or ultimate parent %q", lab.Name, role, n)
			}
		}
		return nil
	}
	if err := tie("exporter "+exporter.Name, entityNames(exporter.Name, exporter.UltimateParent)); err != nil {
		return err
	}
	if consignee != nil {
		return tie("consignee "+consignee.LegalName, entityNames(consignee.LegalName, consignee.UltimateParent))
	}
	return nil
}

// entityNames returns an organization's name and its ultimate parent's,
// folded for comparison.
func entityNames(names ...string) []string {
	var out []string
	for _, n := range names {
		var b strings.Builder
		for _, r := range strings.ToUpper(n) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}

// CheckReportUnits returns nil when every unit r covers was imported for
// r's exporter as r's product, according to imports, and had entered the
// US by the day r tested it: each serial is in an entry dated on or before
// the test, or the lot's entries dated on or before the test hold at least
// as many units as r covers. Otherwise EPRECONDITION names the units.
func CheckReportUnits(r tollgate.LabReport, imports []tollgate.ImportEntry) error {
	inv := newInventory(r.ExporterOrgID, r.Product, imports)
	tested := civilDate(r.TestedAt)
	if r.Units.BySerial() {
		var missing, later []string
		for _, s := range r.Units.Serials {
			u, ok := inv.serials[s]
			switch {
			case !ok:
				missing = append(missing, s)
			case civilDate(u.entered).After(tested):
				later = append(later, s)
			}
		}
		if len(missing) > 0 {
			return unitsError(tollgate.EPRECONDITION, fmt.Sprintf("lab report %s covers units never imported as %s", r.Number, r.Product), missing)
		}
		if len(later) > 0 {
			return unitsError(tollgate.EPRECONDITION, fmt.Sprintf("lab report %s, tested %s, covers units that entered the US after it", r.Number, tested.Format(time.DateOnly)), later)
		}
		return nil
	}
	lot := inv.lots[r.Units.Lot]
	if imported := lot.free + lot.bound; imported < r.Units.Count {
		e := tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s covers %d units of lot %s, of which %d were imported as %s",
			r.Number, r.Units.Count, r.Units.Lot, imported, r.Product)
		e.Details = UnitsDetail{Lot: r.Units.Lot, Count: r.Units.Count - imported}
		return e
	}
	if entered := lot.enteredBy(tested); entered < r.Units.Count {
		e := tollgate.Errorf(tollgate.EPRECONDITION, "lab report %s, tested %s, covers %d units of lot %s, of which %d had entered the US by then",
			r.Number, tested.Format(time.DateOnly), r.Units.Count, r.Units.Lot, entered)
		e.Details = UnitsDetail{Lot: r.Units.Lot, Count: r.Units.Count - entered}
		return e
	}
	return nil
}
