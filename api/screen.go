package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"tollgate"
	"tollgate/auth"
	"tollgate/screening"
)

// ScreenRequest is the body of POST /v1/screen.
type ScreenRequest struct {
	// Names are the names to screen, 1 to Limits.MaxScreenNames of them.
	Names []screening.NameQuery `json:"names"`
	// Threshold replaces the default threshold when set, in (0, 1].
	Threshold float64 `json:"threshold,omitempty"`
	// Explain includes the engine's explanation of every hit.
	Explain bool `json:"explain,omitempty"`
}

// Validate checks every name; the count is checked against the server's
// limits by the handler.
func (req *ScreenRequest) Validate() error {
	if len(req.Names) == 0 {
		return tollgate.FieldErrorf("names", "at least one name is required")
	}
	for i := range req.Names {
		if err := req.Names[i].Validate(); err != nil {
			return prefixField(err, fmt.Sprintf("names[%d].", i))
		}
	}
	if req.Threshold < 0 || req.Threshold > 1 {
		return tollgate.FieldErrorf("threshold", "must be in (0, 1]; got %v", req.Threshold)
	}
	return nil
}

// prefixField qualifies the field of a validation error with its place in
// an enclosing document.
func prefixField(err error, prefix string) error {
	if e, ok := err.(*tollgate.Error); ok && e.Field != "" {
		c := *e
		c.Field = prefix + e.Field
		return &c
	}
	return err
}

func (s *server) handleScreenNames(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[ScreenRequest](r)
	if err != nil {
		return err
	}
	if len(req.Names) > s.limits.MaxScreenNames {
		return tollgate.FieldErrorf("names", "at most %d names per call; got %d", s.limits.MaxScreenNames, len(req.Names))
	}
	res, err := s.screening.ScreenNames(r.Context(), req.Names, screening.NamesOptions{Threshold: req.Threshold, Explain: req.Explain})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, res)
}

func (s *server) handleScreenParty(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	if _, err := s.partyFor(r, PermPartyScreen, r.PathValue("id")); err != nil {
		return err
	}
	diff, err := s.screening.ScreenParty(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/screenings/"+diff.Screening.ID)
	return encode(w, http.StatusCreated, diff)
}

// noBody accepts a request without a body, or with an empty JSON object,
// for actions that take no input.
func noBody(r *http.Request) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	_, err = decode[struct{}](r)
	return err
}

func (s *server) handleListScreenings(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.partyFor(r, PermPartyRead, id); err != nil {
		return err
	}
	scs, next, err := s.store.FindScreenings(r.Context(), tollgate.ScreeningFilter{PartyID: id, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(scs, next))
}

func (s *server) handleLatestScreening(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.partyFor(r, PermPartyRead, r.PathValue("id")); err != nil {
		return err
	}
	sc, err := s.store.LatestScreening(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, sc)
}

func (s *server) handleGetScreening(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	sc, err := s.store.FindScreeningByID(r.Context(), id)
	if err != nil {
		return err
	}
	// A screening belongs to its party's exporter.
	p, err := s.store.FindPartyByID(r.Context(), sc.PartyID)
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermPartyRead, auth.OwnedBy(p.OrgID), notFoundError("screening", id)); err != nil {
		return err
	}
	return encode(w, http.StatusOK, sc)
}

// DecisionInput is the body of POST /v1/parties/{id}/decisions: an
// analyst's verdict on one hit of the party's latest screening. The hit is
// named by its listing (list, source_id) and the entity_digest it showed,
// so a decision always applies to the listed entry the analyst saw.
type DecisionInput struct {
	List         string                   `json:"list"`
	SourceID     string                   `json:"source_id"`
	EntityDigest string                   `json:"entity_digest"`
	Kind         tollgate.HitDecisionKind `json:"kind"`
	Reason       string                   `json:"reason,omitempty"`
}

// DecisionResult is the response of a decision: the decision as recorded
// and the party's screening status after it.
type DecisionResult struct {
	Decision *tollgate.HitDecision    `json:"decision"`
	Status   tollgate.ScreeningStatus `json:"status"`
}

func (s *server) handleDecideHit(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[DecisionInput](r)
	if err != nil {
		return err
	}
	if _, err := s.partyFor(r, PermHitDecide, r.PathValue("id")); err != nil {
		return err
	}
	d := &tollgate.HitDecision{
		PartyID:      r.PathValue("id"),
		List:         in.List,
		SourceID:     in.SourceID,
		EntityDigest: in.EntityDigest,
		Kind:         in.Kind,
		Reason:       in.Reason,
		DecidedBy:    principalFrom(r.Context()).UserID,
	}
	if err := d.Validate(); err != nil {
		return err
	}
	status, err := s.store.DecideHit(r.Context(), d)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, DecisionResult{Decision: d, Status: status})
}

func (s *server) handleListDecisions(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.partyFor(r, PermPartyRead, id); err != nil {
		return err
	}
	ds, next, err := s.store.FindHitDecisions(r.Context(), tollgate.HitDecisionFilter{PartyID: id, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(ds, next))
}
