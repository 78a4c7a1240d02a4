package api

import (
	"fmt"
	"net/http"

	"tollgate"
	"tollgate/auth"
)

// Permissions of the engagement routes (auth/policy.go): an exporter's
// admin engages and ends; both sides and the auditor read.
const (
	PermEngagementRead  = "engagement.read"
	PermEngagementWrite = "engagement.write"
)

// EngagementInput is the body of POST /v1/engagements. The exporter is the
// caller's organization: exporter_org_id may name it, and naming another
// is answered as that organization not existing. Dates are YYYY-MM-DD.
type EngagementInput struct {
	ExporterOrgID  string                  `json:"exporter_org_id,omitempty"`
	EngagedOrgID   string                  `json:"engaged_org_id"`
	Kind           tollgate.EngagementKind `json:"kind"`
	StartsOn       string                  `json:"starts_on"`
	EndsOn         string                  `json:"ends_on,omitempty"`
	ApplicationIDs []string                `json:"application_ids,omitempty"`
	Lots           []string                `json:"lots,omitempty"`
}

// Validate checks the dates; the store checks the rest.
func (in *EngagementInput) Validate() error {
	_, err := in.engagement("")
	return err
}

// engagement returns the engagement the input describes for exporter.
func (in *EngagementInput) engagement(exporter string) (tollgate.Engagement, error) {
	e := tollgate.Engagement{ExporterOrgID: exporter, EngagedOrgID: in.EngagedOrgID, Kind: in.Kind,
		ApplicationIDs: in.ApplicationIDs, Lots: in.Lots}
	var err error
	if e.StartsOn, err = requireDate("starts_on", in.StartsOn); err != nil {
		return e, err
	}
	e.EndsOn, err = parseDate("ends_on", in.EndsOn)
	return e, err
}

// EngagementEndInput is the body of POST /v1/engagements/{id}/end: the
// engagement's last day in force, YYYY-MM-DD.
type EngagementEndInput struct {
	EndsOn string `json:"ends_on"`
}

// Validate requires the date.
func (in *EngagementEndInput) Validate() error {
	_, err := requireDate("ends_on", in.EndsOn)
	return err
}

// engagementOwnership is who an engagement belongs to: the exporter,
// assigned to the organization it engages, so that both sides see it.
func engagementOwnership(e *tollgate.Engagement) auth.Ownership {
	return auth.OwnedBy(e.ExporterOrgID, e.EngagedOrgID)
}

// redactEngagers blanks who created each of engagements unless the caller
// is of the exporter that made it or reaches every engagement: the
// exporter's users are none of the engaged organization's business. The
// audit log names every creator.
func redactEngagers(r *http.Request, engagements []*tollgate.Engagement) {
	p := principalFrom(r.Context())
	if sc, err := auth.ScopeOf(p, PermEngagementRead); err == nil && sc.All {
		return
	}
	for _, e := range engagements {
		if p == nil || e.ExporterOrgID != p.OrgID {
			e.CreatedBy = ""
		}
	}
}

func (s *server) handleCreateEngagement(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[EngagementInput](r)
	if err != nil {
		return err
	}
	// The exporter is the caller's own organization; a body naming another
	// is checked against it and never grants it.
	exporter := in.ExporterOrgID
	if p := principalFrom(r.Context()); exporter == "" && p != nil {
		exporter = p.OrgID
	}
	if err := s.authorize(r, PermEngagementWrite, auth.OwnedBy(exporter), notFoundError("organization", exporter)); err != nil {
		return err
	}
	e, err := in.engagement(exporter)
	if err != nil {
		return err
	}
	if err := s.store.CreateEngagement(r.Context(), &e); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/engagements/"+e.ID)
	return encode(w, http.StatusCreated, e)
}

func (s *server) handleListEngagements(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	f := tollgate.EngagementFilter{ExporterOrgID: queryString(r, "exporter_org_id"), EngagedOrgID: queryString(r, "engaged_org_id"),
		Kind: tollgate.EngagementKind(queryString(r, "kind")), Cursor: cursor, Limit: limit}
	if f.InForceOn, err = parseDate("in_force_on", queryString(r, "in_force_on")); err != nil {
		return err
	}
	sc, err := auth.ScopeOf(principalFrom(r.Context()), PermEngagementRead)
	if err != nil {
		return fmt.Errorf("api.handleListEngagements: %w", err)
	}
	// Keep the list to what the caller reaches: its own engagements as an
	// exporter, or those engaging its organization.
	narrow := func(col *string, org string) bool {
		if *col != "" && *col != org {
			return false
		}
		*col = org
		return true
	}
	switch {
	case sc.All:
	case sc.OrgID != "" && narrow(&f.ExporterOrgID, sc.OrgID):
	case sc.AssignedOrgID != "" && narrow(&f.EngagedOrgID, sc.AssignedOrgID):
	default:
		return encodeEmptyPage[tollgate.Engagement](w, nil)
	}
	items, next, err := s.store.FindEngagements(r.Context(), f)
	if err != nil {
		return err
	}
	redactEngagers(r, items)
	return encode(w, http.StatusOK, pageOf(items, next))
}

// engagementFor returns engagement id if the caller may do perm to it.
func (s *server) engagementFor(r *http.Request, perm, id string) (*tollgate.Engagement, error) {
	e, err := s.store.FindEngagementByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, perm, engagementOwnership(e), notFoundError("engagement", id)); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *server) handleGetEngagement(w http.ResponseWriter, r *http.Request) error {
	e, err := s.engagementFor(r, PermEngagementRead, r.PathValue("id"))
	if err != nil {
		return err
	}
	redactEngagers(r, []*tollgate.Engagement{e})
	return encode(w, http.StatusOK, e)
}

func (s *server) handleEndEngagement(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[EngagementEndInput](r)
	if err != nil {
		return err
	}
	on, _ := requireDate("ends_on", in.EndsOn)
	if _, err := s.engagementFor(r, PermEngagementWrite, r.PathValue("id")); err != nil {
		return err
	}
	e, err := s.store.EndEngagement(r.Context(), r.PathValue("id"), on)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, e)
}
