package tollgate

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// RoleApplicant is the role of the applicant itself: the exporter's own
// organization, which becomes the licensee. It is not a role of a party in
// the store (PartyRoles leaves it out), but license conditions may bind it.
const RoleApplicant PartyRole = "applicant"

// Limits on free text in an application, so that a client cannot make the
// store hold arbitrarily large records.
const (
	maxApplicationTextLen = 10000
	maxApplicationNameLen = 500
	// maxApplicationListLen bounds each repeated field (end users, items,
	// documents, certifications, …).
	maxApplicationListLen = 100
)

// ApplicationParties names the parties of an application by role. Every
// value is an id: Applicant an organization id, the others party ids from the
// store. Intermediate consignees are optional; the rest are required before
// submission.
type ApplicationParties struct {
	Applicant              string   `json:"applicant"`
	Purchaser              string   `json:"purchaser,omitempty"`
	IntermediateConsignees []string `json:"intermediate_consignees,omitempty"`
	UltimateConsignee      string   `json:"ultimate_consignee,omitempty"`
	EndUsers               []string `json:"end_users,omitempty"`
}

// PartyRef is one party of an application in one role.
type PartyRef struct {
	Role PartyRole `json:"role"`
	ID   string    `json:"id"`
}

// List returns every named party with its role, applicant first, in form
// order. Empty ids are left out.
func (p ApplicationParties) List() []PartyRef {
	refs := make([]PartyRef, 0, 4+len(p.IntermediateConsignees)+len(p.EndUsers))
	add := func(role PartyRole, id string) {
		if id != "" {
			refs = append(refs, PartyRef{Role: role, ID: id})
		}
	}
	add(RoleApplicant, p.Applicant)
	add(RolePurchaser, p.Purchaser)
	for _, id := range p.IntermediateConsignees {
		add(RoleIntermediateConsignee, id)
	}
	add(RoleUltimateConsignee, p.UltimateConsignee)
	for _, id := range p.EndUsers {
		add(RoleEndUser, id)
	}
	return refs
}

// WithRole returns the ids of the parties named in role r.
func (p ApplicationParties) WithRole(r PartyRole) []string {
	var ids []string
	for _, ref := range p.List() {
		if ref.Role == r {
			ids = append(ids, ref.ID)
		}
	}
	return ids
}

// ApplicationItem is one line of an application (BIS-748P-A): a catalog chip
// (Model) or a user's own specification (SpecRef), never both.
type ApplicationItem struct {
	Model          string `json:"model,omitempty"`
	SpecRef        string `json:"spec_ref,omitempty"`
	ECCN           string `json:"eccn,omitempty"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	TotalCents     int64  `json:"total_cents"`
	Manufacturer   string `json:"manufacturer,omitempty"`
	Description    string `json:"description,omitempty"`
	// ProductID is the product identity the item is counted under (the
	// catalog's model as a product key, whatever name Model gives), set
	// by package licensing; empty when the model is not in the catalog.
	ProductID string `json:"product,omitempty"`
}

// Product returns the key that ties the item to US shipment counts, the 50%
// cap and license depletion: its product identity, or else the model, or
// the spec reference, upper-cased.
func (it ApplicationItem) Product() string {
	if it.ProductID != "" {
		return it.ProductID
	}
	if it.Model != "" {
		return ProductKey(it.Model)
	}
	return ProductKey(it.SpecRef)
}

// ProductKey normalizes a product name so that "h200" and " H200" name the
// same product everywhere quantities are summed per product.
func ProductKey(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// eccnPattern matches Commerce Control List numbers such as 3A090.a or
// 4A090.b.1, and EAR99.
var eccnPattern = regexp.MustCompile(`^(?:[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*|EAR99)$`)

// ValidECCN reports whether s is written as an ECCN (or EAR99).
func ValidECCN(s string) bool { return eccnPattern.MatchString(s) }

// SupportingDocument is a document filed with an application. The content
// lives elsewhere (the store keeps it by digest); the application keeps what
// identifies it.
type SupportingDocument struct {
	Name        string `json:"name"`
	Digest      string `json:"digest"` // lowercase hex SHA-256 of the content
	Size        int64  `json:"size"`   // bytes
	ContentType string `json:"content_type"`
}

// USUnitsShipped states how many units of a product the exporter has shipped
// to US end-use customers so far: the H200 rule requires the application to
// say so (regime.md §3), and the 50% cap is measured against it. Source is
// "records" when tollgate counted them from its shipping records, "stated"
// when the applicant typed the number.
type USUnitsShipped struct {
	Product string `json:"product"`
	Units   int64  `json:"units"`
	Source  string `json:"source"`
}

// Units sources for USUnitsShipped.Source.
const (
	UnitsFromRecords = "records"
	UnitsStated      = "stated"
)

// Certification is an explicit statement made by a named officer of the
// applicant at a recorded time. Code is the code of the RequiredCertification
// it answers and Statement the text the officer certified. It is never
// defaulted: an application without it simply lacks it.
type Certification struct {
	Code          string    `json:"code"`
	Statement     string    `json:"statement"`
	OfficerName   string    `json:"officer_name"`
	OfficerUserID string    `json:"officer_user_id"`
	MadeAt        time.Time `json:"made_at"`
}

// Application is a license application (BIS-748P / SNAP-R) with its review.
// The embedded ApplicationReview carries what the review adds; the licensing
// package's state machine is the only code that changes it.
type Application struct {
	ID      string             `json:"id"`
	Parties ApplicationParties `json:"parties"`
	// Destination is the ISO 3166-1 alpha-2 country of ultimate destination;
	// ExportFrom the country the items leave from ("US" for an export).
	Destination string `json:"destination"`
	ExportFrom  string `json:"export_from"`
	// Reexport marks a reexport or in-country transfer, which the H200 rule
	// leaves at presumption of denial.
	Reexport       bool                 `json:"reexport,omitempty"`
	EndUse         string               `json:"end_use"`
	Items          []ApplicationItem    `json:"items"`
	Documents      []SupportingDocument `json:"documents,omitempty"`
	USShipments    []USUnitsShipped     `json:"us_shipments,omitempty"`
	Certifications []Certification      `json:"certifications,omitempty"`
	CreatedBy      string               `json:"created_by,omitempty"`
	CreatedAt      time.Time            `json:"created_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
	ApplicationReview
}

// TotalCents returns the sum of the items' totals.
func (a *Application) TotalCents() int64 {
	var sum int64
	for _, it := range a.Items {
		sum += it.TotalCents
	}
	return sum
}

// QuantityOf returns the units applied for of one product (a ProductKey).
func (a *Application) QuantityOf(product string) int64 {
	var n int64
	for _, it := range a.Items {
		if it.Product() == product {
			n += it.Quantity
		}
	}
	return n
}

// Validate checks that what the application holds is well formed. It does
// not require completeness: a draft is built in steps, and the licensing
// prechecks decide whether it may be submitted. It returns an EINVALID
// *Error naming the first bad field.
func (a *Application) Validate() error {
	if err := a.Parties.validate(); err != nil {
		return err
	}
	if err := CheckText("end_use", a.EndUse); err != nil {
		return err
	}
	if len(a.EndUse) > maxApplicationTextLen {
		return FieldErrorf("end_use", "longer than %d characters", maxApplicationTextLen)
	}
	for _, l := range []struct {
		field string
		n     int
	}{{"items", len(a.Items)}, {"documents", len(a.Documents)}, {"us_shipments", len(a.USShipments)}, {"certifications", len(a.Certifications)}} {
		if l.n > maxApplicationListLen {
			return FieldErrorf(l.field, "more than %d entries", maxApplicationListLen)
		}
	}
	for i, it := range a.Items {
		if err := it.validate(); err != nil {
			err.Field = fieldIndex("items", i) + "." + err.Field
			return err
		}
	}
	for i, d := range a.Documents {
		if err := d.Validate(); err != nil {
			err.Field = fieldIndex("documents", i) + "." + err.Field
			return err
		}
	}
	if err := validateUSShipments(a.USShipments); err != nil {
		return err
	}
	for i, c := range a.Certifications {
		if err := c.Validate(); err != nil {
			err.Field = fieldIndex("certifications", i) + "." + err.Field
			return err
		}
	}
	if a.State != "" && !a.State.Valid() {
		return FieldErrorf("state", "unknown state %q", a.State)
	}
	return nil
}

// validate requires the applicant, bounds the repeated roles, and refuses a
// party named twice in the same role (one party may hold several roles: the
// purchaser is often the ultimate consignee).
func (p ApplicationParties) validate() *Error {
	switch {
	case p.Applicant == "":
		return FieldErrorf("parties.applicant", "required")
	case len(p.IntermediateConsignees) > maxApplicationListLen:
		return FieldErrorf("parties.intermediate_consignees", "more than %d entries", maxApplicationListLen)
	case len(p.EndUsers) > maxApplicationListLen:
		return FieldErrorf("parties.end_users", "more than %d entries", maxApplicationListLen)
	}
	seen := map[PartyRef]bool{}
	for _, ref := range p.List() {
		if seen[ref] {
			return FieldErrorf("parties."+string(ref.Role), "party %q named twice", ref.ID)
		}
		seen[ref] = true
	}
	return nil
}

func validateUSShipments(shipments []USUnitsShipped) *Error {
	products := map[string]bool{}
	for i, s := range shipments {
		field := fieldIndex("us_shipments", i)
		switch {
		case ProductKey(s.Product) == "":
			return FieldErrorf(field+".product", "required")
		case products[ProductKey(s.Product)]:
			return FieldErrorf(field+".product", "%q stated twice", s.Product)
		case s.Units < 0:
			return FieldErrorf(field+".units", "must not be negative")
		case s.Units > MaxUnits:
			return FieldErrorf(field+".units", "is %d, more than %d", s.Units, int64(MaxUnits))
		case s.Source != UnitsFromRecords && s.Source != UnitsStated:
			return FieldErrorf(field+".source", "must be %q or %q", UnitsFromRecords, UnitsStated)
		}
		products[ProductKey(s.Product)] = true
	}
	return nil
}

func (it ApplicationItem) validate() *Error {
	switch {
	case it.Model == "" && it.SpecRef == "":
		return FieldErrorf("model", "a catalog model or a spec reference is required")
	case it.Model != "" && it.SpecRef != "":
		return FieldErrorf("spec_ref", "give a catalog model or a spec reference, not both")
	case it.ECCN != "" && !ValidECCN(it.ECCN):
		return FieldErrorf("eccn", "%q is not an ECCN", it.ECCN)
	case CheckUnits("quantity", it.Quantity) != nil:
		return CheckUnits("quantity", it.Quantity)
	case CheckCents("unit_price_cents", it.UnitPriceCents) != nil:
		return CheckCents("unit_price_cents", it.UnitPriceCents)
	case it.Quantity > MaxCents/it.UnitPriceCents:
		return FieldErrorf("total_cents", "quantity times unit price is more than %d cents", int64(MaxCents))
	case it.TotalCents != it.Quantity*it.UnitPriceCents:
		return FieldErrorf("total_cents", "is %d, want quantity %d x unit price %d = %d",
			it.TotalCents, it.Quantity, it.UnitPriceCents, it.Quantity*it.UnitPriceCents)
	case len(it.Manufacturer) > maxApplicationNameLen:
		return FieldErrorf("manufacturer", "longer than %d characters", maxApplicationNameLen)
	case CheckText("description", it.Description) != nil:
		return CheckText("description", it.Description).(*Error)
	case len(it.Description) > maxApplicationTextLen:
		return FieldErrorf("description", "longer than %d characters", maxApplicationTextLen)
	}
	return nil
}

// Validate checks a document's identifying fields: a name, a lowercase hex
// SHA-256 digest, a positive size and a content type. Which types and sizes
// are accepted is the licensing configuration's decision.
func (d SupportingDocument) Validate() *Error {
	switch {
	case strings.TrimSpace(d.Name) == "":
		return FieldErrorf("name", "required")
	case len(d.Name) > maxApplicationNameLen:
		return FieldErrorf("name", "longer than %d characters", maxApplicationNameLen)
	case !IsHexDigest(d.Digest):
		return FieldErrorf("digest", "must be a lowercase hex SHA-256")
	case d.Size <= 0:
		return FieldErrorf("size", "must be positive")
	case d.ContentType == "":
		return FieldErrorf("content_type", "required")
	}
	return nil
}

// Validate checks that a certification is an explicit, attributable
// statement: code, statement text, officer name and user id, and the time it
// was made are all required.
func (c Certification) Validate() *Error {
	switch {
	case strings.TrimSpace(c.Code) == "":
		return FieldErrorf("code", "required")
	case strings.TrimSpace(c.Statement) == "":
		return FieldErrorf("statement", "required")
	case strings.TrimSpace(c.OfficerName) == "":
		return FieldErrorf("officer_name", "required")
	case strings.TrimSpace(c.OfficerUserID) == "":
		return FieldErrorf("officer_user_id", "required")
	case c.MadeAt.IsZero():
		return FieldErrorf("made_at", "required")
	}
	return nil
}

func fieldIndex(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}
