package licensing

import (
	"fmt"
	"strings"
	"time"

	"tollgate"
)

// CertificationSpec is a certification a policy requires an application to
// make: a stable code, a short title, the exact statement the applicant's
// officer certifies, and the rule that requires it.
type CertificationSpec struct {
	Code      string `json:"code"`
	Title     string `json:"title"`
	Statement string `json:"statement"`
	Citation  string `json:"citation"`
}

// h200Rule is the citation of the January 2026 rule (regime.md §3). The
// exact CFR paragraph is unconfirmed (cited elsewhere as
// 742.6(b)(10)(iii)(A)(1)).
const h200Rule = "BIS final rule, 91 FR 1684 (FR Doc 2026-00789), effective 2026-01-15; 15 CFR 742.6(b)(10) (paragraph unconfirmed)"

// Codes of the six certifications of the H200 rule. They are the codes the
// classify rulebook gives in a classification's required certifications.
const (
	CertPerformanceLimits = "performance_limits"
	CertUSSupply          = "us_supply"
	CertChinaCap          = "china_cap_50pct"
	CertEndUseControls    = "end_use_controls"
	CertKYCRemoteAccess   = "kyc_remote_access"
	CertThirdPartyLab     = "third_party_lab"
)

// h200Certifications are the six certifications an exporter must make for
// case-by-case review of an export of an H200-class chip to China or Macau
// (regime.md §3), with the statements the classify rulebook requires. A
// classification's own text, when it gives one, takes precedence
// (RequiredStatement); this table serves requirements that carry only a
// code, and lists the certifications for people.
var h200Certifications = []CertificationSpec{
	{CertPerformanceLimits, "Below the performance limits",
		"The chip has TPP below 21,000 and total DRAM bandwidth below 6,500 GB/s.", h200Rule},
	{CertUSSupply, "US supply is sufficient",
		"US supply is sufficient: no existing or new order for US end use is delayed, and no global foundry capacity available to US customers is diverted.", h200Rule},
	{CertChinaCap, "At most 50% of US shipments",
		"Aggregate shipments of this product to China and Macau will be at most 50% of the units shipped to US end-use customers.", h200Rule},
	{CertEndUseControls, "Not barred by end-use or end-user controls",
		"The export is not barred by end-use or end-user controls, military end uses included.", h200Rule},
	{CertKYCRemoteAccess, "Know-your-customer against remote access",
		"The ultimate consignee runs rigorous know-your-customer procedures that prevent unauthorized remote access.", h200Rule},
	{CertThirdPartyLab, "Third-party lab review of every shipment",
		"Every shipment is reviewed before export by a qualified third-party testing laboratory in the US, confirming the capabilities stated in the application.", h200Rule},
}

// H200Certifications returns the six certifications of the H200 rule, in
// the rule's order.
func H200Certifications() []CertificationSpec {
	return append([]CertificationSpec(nil), h200Certifications...)
}

// LookupCertification returns the catalogued certification with code.
func LookupCertification(code string) (CertificationSpec, bool) {
	for _, c := range h200Certifications {
		if c.Code == code {
			return c, true
		}
	}
	return CertificationSpec{}, false
}

// RequiredStatement returns the statement an officer must certify for a
// requirement: the text the classification gave, else the catalogued text
// for its code, else "" (unknown code and no text).
func RequiredStatement(req tollgate.RequiredCertification) string {
	if strings.TrimSpace(req.Text) != "" {
		return req.Text
	}
	if spec, ok := LookupCertification(req.Code); ok {
		return spec.Statement
	}
	return ""
}

// Certify records that the officer named certified statement for the
// requirement req at time at. Every argument is required: a certification is
// never made by default. When the required statement is known, the statement
// certified must be that text (compared with runs of white space folded), so
// an officer cannot certify a weaker wording.
func Certify(req tollgate.RequiredCertification, statement, officerName, officerUserID string, at time.Time) (tollgate.Certification, error) {
	c := tollgate.Certification{
		Code:          req.Code,
		Statement:     statement,
		OfficerName:   strings.TrimSpace(officerName),
		OfficerUserID: officerUserID,
		MadeAt:        at.UTC(),
	}
	if err := c.Validate(); err != nil {
		return tollgate.Certification{}, fmt.Errorf("licensing.Certify: %w", err)
	}
	if want := RequiredStatement(req); want != "" && !sameStatement(statement, want) {
		return tollgate.Certification{}, fmt.Errorf("licensing.Certify: %w",
			tollgate.FieldErrorf("statement", "differs from the statement required for %s: %q", req.Code, want))
	}
	return c, nil
}

// sameStatement compares two statements with runs of white space folded to
// one space and the ends trimmed.
func sameStatement(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}
