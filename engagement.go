package tollgate

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// EngagementKind is what an exporter engages another organization to do
// for it.
type EngagementKind string

// The kinds of engagement.
const (
	// EngageImports engages a broker to file the exporter's import entries,
	// claim their exemptions and pay their duty.
	EngageImports EngagementKind = "imports"
	// EngageTests engages a US lab to test the exporter's units and sign
	// reports on them.
	EngageTests EngagementKind = "tests"
)

// EngagementKinds lists every kind, in a stable order.
var EngagementKinds = []EngagementKind{EngageImports, EngageTests}

// Valid reports whether k is one of EngagementKinds.
func (k EngagementKind) Valid() bool { return slices.Contains(EngagementKinds, k) }

// EngagedOrgKind returns the kind of organization an engagement of kind k
// engages: a broker for imports, a lab for tests.
func (k EngagementKind) EngagedOrgKind() OrgKind {
	if k == EngageTests {
		return OrgLab
	}
	return OrgBroker
}

// MaxEngagementScope bounds the application ids and the lots one
// engagement may be limited to.
const MaxEngagementScope = 1000

// Engagement is an exporter's engagement of a broker (for its imports) or
// a lab (for its tests): the only thing that lets an organization write
// about another's units. It is in force from StartsOn to EndsOn, both
// included (no EndsOn: until the exporter ends it), and reaches every
// application and lot of the exporter unless limited to some.
type Engagement struct {
	ID            string         `json:"id"`
	ExporterOrgID string         `json:"exporter_org_id"`
	EngagedOrgID  string         `json:"engaged_org_id"`
	Kind          EngagementKind `json:"kind"`
	// StartsOn and EndsOn are UTC dates (midnight); EndsOn is zero while
	// the engagement runs without an end.
	StartsOn time.Time `json:"starts_on"`
	EndsOn   time.Time `json:"ends_on,omitzero"`
	// ApplicationIDs limits a tests engagement to reports judged against
	// these applications; Lots limits either kind to units of these lots.
	// Empty: no limit.
	ApplicationIDs []string  `json:"application_ids"`
	Lots           []string  `json:"lots"`
	CreatedBy      string    `json:"created_by,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Validate checks the fields a client sets: both organizations, distinct;
// a known kind; a start date and an end date not before it, both dates
// with no time of day; application ids only for tests; scopes without
// duplicates, of at most MaxEngagementScope entries. Whether the
// organizations are of the right kinds is the store's question.
func (e *Engagement) Validate() error {
	switch {
	case e.ExporterOrgID == "":
		return FieldErrorf("exporter_org_id", "required")
	case e.EngagedOrgID == "":
		return FieldErrorf("engaged_org_id", "required")
	case e.EngagedOrgID == e.ExporterOrgID:
		return FieldErrorf("engaged_org_id", "an exporter does not engage itself")
	case !e.Kind.Valid():
		return FieldErrorf("kind", "must be imports or tests; got %q", e.Kind)
	case e.StartsOn.IsZero():
		return FieldErrorf("starts_on", "required")
	case !isDate(e.StartsOn):
		return FieldErrorf("starts_on", "must be a date with no time of day")
	case !e.EndsOn.IsZero() && !isDate(e.EndsOn):
		return FieldErrorf("ends_on", "must be a date with no time of day")
	case !e.EndsOn.IsZero() && e.EndsOn.Before(e.StartsOn):
		return FieldErrorf("ends_on", "%s is before starts_on %s", e.EndsOn.Format(time.DateOnly), e.StartsOn.Format(time.DateOnly))
	case e.Kind != EngageTests && len(e.ApplicationIDs) > 0:
		return FieldErrorf("application_ids", "only a tests engagement is limited to applications")
	}
	if err := validateScope("application_ids", e.ApplicationIDs, validUnitCode); err != nil {
		return err
	}
	return validateScope("lots", e.Lots, validUnitCode)
}

func validateScope(field string, items []string, valid func(string) bool) error {
	if len(items) > MaxEngagementScope {
		return FieldErrorf(field, "more than %d entries", MaxEngagementScope)
	}
	for i, s := range items {
		switch {
		case !valid(s):
			return FieldErrorf(fieldIndex(field, i), "%q is not an id or a lot code", s)
		case slices.Contains(items[:i], s):
			return FieldErrorf(fieldIndex(field, i), "%q named twice", s)
		}
	}
	return nil
}

// isDate reports whether t is a UTC midnight.
func isDate(t time.Time) bool {
	return t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour))
}

// InForce reports whether e is in force on day (any time of that UTC
// date).
func (e *Engagement) InForce(day time.Time) bool {
	y, m, d := day.UTC().Date()
	day = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return !day.Before(e.StartsOn) && (e.EndsOn.IsZero() || !day.After(e.EndsOn))
}

// Covers reports whether e reaches the write w: the same exporter and
// kind, in force on w's day, and within e's limits. A write limited to
// lots reaches only units named by a lot in it: units named by serial
// number are outside every lot limit.
func (e *Engagement) Covers(w EngagementScope) bool {
	switch {
	case e.ExporterOrgID != w.ExporterOrgID || e.Kind != w.Kind || !e.InForce(w.Day):
		return false
	case len(e.ApplicationIDs) > 0 && !slices.Contains(e.ApplicationIDs, w.ApplicationID):
		return false
	case len(e.Lots) > 0 && (w.Lot == "" || !slices.Contains(e.Lots, w.Lot)):
		return false
	}
	return true
}

// EngagementScope describes one write about an exporter's units, for
// finding the engagements that reach it: the exporter, the kind of work,
// the day the write is dated (an entry date, a payment date, a test
// date), and the application and lot it names ("" for none).
type EngagementScope struct {
	ExporterOrgID string
	Kind          EngagementKind
	Day           time.Time
	ApplicationID string
	Lot           string
}

// String describes the scope for messages.
func (w EngagementScope) String() string {
	return fmt.Sprintf("%s of %s on %s", w.Kind, w.ExporterOrgID, w.Day.UTC().Format(time.DateOnly))
}

// EngagementFilter selects engagements for FindEngagements. Zero fields
// match all; InForceOn keeps those in force on that date.
type EngagementFilter struct {
	ExporterOrgID string         `json:"exporter_org_id,omitempty"`
	EngagedOrgID  string         `json:"engaged_org_id,omitempty"`
	Kind          EngagementKind `json:"kind,omitempty"`
	InForceOn     time.Time      `json:"in_force_on,omitzero"`
	Cursor        string         `json:"cursor,omitempty"` // opaque; from a previous page
	Limit         int            `json:"limit,omitempty"`  // 0 means DefaultPageLimit
}

// EngagementService manages engagements. Every change is audited in the
// same transaction.
type EngagementService interface {
	// CreateEngagement validates e, checks that its exporter is an exporter
	// and its engaged organization a broker (imports) or a US lab (tests),
	// assigns its ID, creator and timestamps, and stores it. A missing
	// organization is ENOTFOUND; a wrong kind or country is EINVALID.
	CreateEngagement(ctx context.Context, e *Engagement) error

	// FindEngagementByID returns the engagement with id, or ENOTFOUND.
	FindEngagementByID(ctx context.Context, id string) (*Engagement, error)

	// FindEngagements returns one page of engagements matching filter,
	// oldest first, and the cursor of the next page ("" on the last).
	FindEngagements(ctx context.Context, filter EngagementFilter) ([]*Engagement, string, error)

	// EndEngagement ends engagement id on the date on (its last day in
	// force) and returns it as stored: ENOTFOUND when there is none,
	// EINVALID when on is before its start, ECONFLICT when it already ends
	// on or before on. Writes dated after on are refused from then on;
	// records written under it stay.
	EndEngagement(ctx context.Context, id string, on time.Time) (*Engagement, error)

	// EngagedOrgs returns the organizations engaged under an engagement
	// that covers w (Engagement.Covers), sorted: the only organizations,
	// besides the exporter itself, that may write w.
	EngagedOrgs(ctx context.Context, w EngagementScope) ([]string, error)
}
