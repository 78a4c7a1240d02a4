package licensing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
	"tollgate/classify"
)

// Names of the prechecks.
const (
	CheckComplete       = "application_complete" // the form is filled in
	CheckExportScope    = "export_scope"         // an export from the US, not a reexport
	CheckClassification = "classification"       // every item × end user classified, with a reviewable policy
	CheckScreening      = "screening"            // every party screened and clear
	CheckCertification  = "certification"        // every required certification made by a named officer
	CheckUSShipments    = "us_shipments"         // US units shipped stated for every H200-rule product
	CheckChinaCap       = "china_cap"            // the 50% cap projection holds
	CheckDocuments      = "documents"            // supporting documents present and acceptable
)

// Severity grades a check: a failing check blocks submission; a warning
// passes (it does not block submission) but tells the applicant what the
// agency will weigh, such as a presumption of denial, which is a review
// standard and not a bar to filing (regime.md §9).
type Severity string

// Severities.
const (
	SeverityOK      Severity = "ok"
	SeverityWarning Severity = "warning"
	SeverityFail    Severity = "fail"
)

// Check is the outcome of one precheck on one subject (an item, a party, a
// certification, a product or a document; empty for the whole application).
// Pass decides submission; Severity says whether a passing check warns.
type Check struct {
	Name     string         `json:"name"`
	Subject  string         `json:"subject,omitempty"`
	Pass     bool           `json:"pass"`
	Severity Severity       `json:"severity"`
	Reason   string         `json:"reason"`
	Cap      *CapProjection `json:"cap,omitempty"`
}

// String renders the check as one line.
func (c Check) String() string {
	verdict := "FAIL"
	switch {
	case c.Pass && c.Severity == SeverityWarning:
		verdict = "WARN"
	case c.Pass:
		verdict = "ok"
	}
	name := c.Name
	if c.Subject != "" {
		name += " (" + c.Subject + ")"
	}
	return fmt.Sprintf("%s %s: %s", verdict, name, c.Reason)
}

// ItemClassification is the classification of one product of the
// application for one of its end users (classify takes the end user's
// headquarters into account, so each end user gets its own).
type ItemClassification struct {
	Product        string                  `json:"product"` // a ProductKey
	EndUserID      string                  `json:"end_user_id"`
	Classification tollgate.Classification `json:"classification"`
}

// PartyScreening is a party as the store has it (with its derived screening
// status) and the hits of its latest screening, with the decisions in force.
type PartyScreening struct {
	Party tollgate.Party `json:"party"`
	Hits  []tollgate.Hit `json:"hits,omitempty"`
}

// ChinaUnits are the units of a product the exporter has already exported
// to China and Macau, and those reserved for export but not yet shipped.
type ChinaUnits struct {
	Product  string `json:"product"`
	Exported int64  `json:"exported"`
	Reserved int64  `json:"reserved"`
}

// PrecheckInput is everything the prechecks look at. The caller gathers it
// just before submission: classifications on the current rules, the parties'
// current screening status, the units shipped so far.
type PrecheckInput struct {
	Application     tollgate.Application `json:"application"`
	Classifications []ItemClassification `json:"classifications"`
	Parties         []PartyScreening     `json:"parties"`
	ChinaUnits      []ChinaUnits         `json:"china_units"`
	// AsOf is the caller's now; a certification dated later is refused.
	AsOf time.Time `json:"as_of"`
}

// Precheck runs every precheck on the application and returns one Check per
// subject, passing or failing, each with its reason. It returns an error
// only for an invalid configuration or a missing AsOf.
func Precheck(cfg Config, in PrecheckInput) ([]Check, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("licensing.Precheck: %w", err)
	}
	if in.AsOf.IsZero() {
		return nil, fmt.Errorf("licensing.Precheck: %w", tollgate.FieldErrorf("as_of", "required"))
	}
	app := &in.Application
	var checks []Check
	checks = append(checks, checkComplete(app))
	checks = append(checks, checkExportScope(app))
	checks = append(checks, checkClassifications(app, in.Classifications, in.Parties)...)
	checks = append(checks, checkScreening(app, in.Parties)...)
	checks = append(checks, checkCertifications(app, in.Classifications, in.AsOf)...)
	checks = append(checks, checkCap(app, in.Classifications, in.ChinaUnits)...)
	checks = append(checks, checkDocuments(cfg, app.Documents)...)
	return checks, nil
}

// CanSubmit returns nil when checks is non-empty and every check passes.
// Otherwise it returns an EPRECONDITION *tollgate.Error whose message lists
// the failing checks and whose Details are all the checks.
func CanSubmit(checks []Check) error {
	if len(checks) == 0 {
		return tollgate.Errorf(tollgate.EPRECONDITION, "submission refused: the prechecks were not run")
	}
	var failing []string
	for _, c := range checks {
		if !c.Pass {
			failing = append(failing, strings.TrimPrefix(c.String(), "FAIL "))
		}
	}
	if len(failing) == 0 {
		return nil
	}
	e := tollgate.Errorf(tollgate.EPRECONDITION, "submission refused: %d failing precheck(s): %s", len(failing), strings.Join(failing, "; "))
	e.Details = slices.Clone(checks)
	return e
}

func pass(name, subject, reason string) Check {
	return Check{Name: name, Subject: subject, Pass: true, Severity: SeverityOK, Reason: reason}
}

// warn is a passing check that tells the applicant something the agency
// will weigh against the application.
func warn(name, subject, reason string) Check {
	return Check{Name: name, Subject: subject, Pass: true, Severity: SeverityWarning, Reason: reason}
}

func fail(name, subject, reason string) Check {
	return Check{Name: name, Subject: subject, Severity: SeverityFail, Reason: reason}
}

// checkComplete reports every required field the application lacks.
func checkComplete(app *tollgate.Application) Check {
	var missing []string
	need := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	p := app.Parties
	need(p.Applicant != "", "applicant")
	need(p.Purchaser != "", "purchaser")
	need(p.UltimateConsignee != "", "ultimate consignee")
	need(len(p.EndUsers) > 0, "end user")
	need(strings.TrimSpace(app.EndUse) != "", "end use")
	need(tollgate.IsCountryCode(app.Destination), "destination country")
	need(tollgate.IsCountryCode(app.ExportFrom), "country of export")
	need(len(app.Items) > 0, "items")
	for i, it := range app.Items {
		need(it.ECCN != "", fmt.Sprintf("ECCN of item %d (%s)", i+1, it.Product()))
		need(strings.TrimSpace(it.Manufacturer) != "", fmt.Sprintf("manufacturer of item %d (%s)", i+1, it.Product()))
		need(strings.TrimSpace(it.Description) != "", fmt.Sprintf("description of item %d (%s)", i+1, it.Product()))
	}
	if err := app.Validate(); err != nil {
		return fail(CheckComplete, "", "invalid: "+tollgate.ErrorMessage(err))
	}
	if len(missing) > 0 {
		return fail(CheckComplete, "", "missing "+strings.Join(missing, ", "))
	}
	return pass(CheckComplete, "", "every required field is filled in")
}

// chinaOrMacau are the destinations of the H200 rule: classify's one
// definition of "China or Macau" (Hong Kong included).
var chinaOrMacau = classify.ChinaOrMacau()

// checkExportScope warns, for China and Macau, about what the H200 rule
// leaves at presumption of denial whatever the chip: reexports, in-country
// transfers and exports from abroad (91 FR 1684; regime.md §3). That is the
// standard the agency reviews by, not a bar to filing (regime.md §9).
func checkExportScope(app *tollgate.Application) Check {
	if !slices.Contains(chinaOrMacau, app.Destination) {
		return pass(CheckExportScope, "", fmt.Sprintf("destination %q is not China or Macau; the classification decides the policy", app.Destination))
	}
	const standard = "; policy: presumption of denial; the agency decides (a review standard, not a bar to filing)"
	switch {
	case app.Reexport:
		return warn(CheckExportScope, "", "a reexport or in-country transfer to China or Macau is not eligible for case-by-case review (91 FR 1684)"+standard)
	case app.ExportFrom != "US":
		return warn(CheckExportScope, "", fmt.Sprintf("an export from %q to China or Macau is not eligible for case-by-case review; only exports from the United States are (91 FR 1684)", app.ExportFrom)+standard)
	}
	return pass(CheckExportScope, "", "an export from the United States to "+app.Destination)
}

// checkDocuments requires at least one supporting document, each well
// formed, of an accepted type and within the size limit.
func checkDocuments(cfg Config, docs []tollgate.SupportingDocument) []Check {
	if len(docs) == 0 {
		return []Check{fail(CheckDocuments, "", "no supporting documents; attach at least one "+strings.Join(cfg.DocumentTypes, " or "))}
	}
	checks := make([]Check, 0, len(docs))
	for _, d := range docs {
		switch err := d.Validate(); {
		case err != nil:
			checks = append(checks, fail(CheckDocuments, d.Name, "invalid: "+err.Error()))
		case !slices.Contains(cfg.DocumentTypes, d.ContentType):
			checks = append(checks, fail(CheckDocuments, d.Name, fmt.Sprintf("content type %q is not accepted (%s)", d.ContentType, strings.Join(cfg.DocumentTypes, ", "))))
		case d.Size > cfg.MaxDocumentBytes:
			checks = append(checks, fail(CheckDocuments, d.Name, fmt.Sprintf("%s bytes exceeds the limit of %s", thousands(d.Size), thousands(cfg.MaxDocumentBytes))))
		default:
			checks = append(checks, pass(CheckDocuments, d.Name, fmt.Sprintf("%s, %s bytes, sha256 %s", d.ContentType, thousands(d.Size), d.Digest)))
		}
	}
	return checks
}

// thousands formats n with comma separators, as the cap projection shows
// figures.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
