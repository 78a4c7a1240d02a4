package tollgate

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// ScreeningStatus is a party's standing after screening, derived from its
// latest screening and the analysts' decisions on the hits.
type ScreeningStatus string

// Screening statuses. Only a clear party may be named on an application.
const (
	// ScreeningUnscreened: never screened, or changed since the last screening.
	ScreeningUnscreened ScreeningStatus = "unscreened"
	// ScreeningClear: no hits, or every hit decided a false positive.
	ScreeningClear ScreeningStatus = "clear"
	// ScreeningPendingReview: at least one hit awaits an analyst's decision.
	ScreeningPendingReview ScreeningStatus = "pending_review"
	// ScreeningBlocked: at least one hit is a decided true match.
	ScreeningBlocked ScreeningStatus = "blocked"
)

// Valid reports whether s is a known screening status.
func (s ScreeningStatus) Valid() bool {
	switch s {
	case ScreeningUnscreened, ScreeningClear, ScreeningPendingReview, ScreeningBlocked:
		return true
	}
	return false
}

// HitDecisionKind is an analyst's verdict on a hit.
type HitDecisionKind string

// The verdicts an analyst can give.
const (
	HitFalsePositive HitDecisionKind = "false_positive" // not the listed entity; needs a reason
	HitTrueMatch     HitDecisionKind = "true_match"     // the listed entity; blocks the party
)

// HitKey identifies a listing across versions of its list: the list code
// and the record's id in its source.
type HitKey struct {
	List     string `json:"list"`
	SourceID string `json:"source_id"`
}

// Hit is one listed entity that a screening found at or above its threshold.
type Hit struct {
	List     string `json:"list"`
	SourceID string `json:"source_id"`
	// EntityDigest is Entity.Digest() of the listing as screened; a decision
	// holds only while the listing keeps this digest.
	EntityDigest string  `json:"entity_digest"`
	Name         string  `json:"name"`         // the listed entity's primary name
	MatchedName  string  `json:"matched_name"` // the listed name or alias that matched
	Score        float64 `json:"score"`        // in [0, 1]
	// Explanation is the engine's account of the score, kept as it gave it.
	Explanation json.RawMessage `json:"explanation,omitempty"`
	// Decision is the decision in force on this hit, if any; the store
	// fills it in on every read.
	Decision *HitDecision `json:"decision,omitempty"`
}

// Key returns the hit's listing key.
func (h *Hit) Key() HitKey { return HitKey{List: h.List, SourceID: h.SourceID} }

// Validate checks a hit reported by a screening engine.
func (h *Hit) Validate() error {
	switch {
	case h.List == "":
		return FieldErrorf("list", "required")
	case h.SourceID == "":
		return FieldErrorf("source_id", "required")
	case !IsHexDigest(h.EntityDigest):
		return FieldErrorf("entity_digest", "must be a lower-case hex SHA-256 digest")
	case math.IsNaN(h.Score) || h.Score < 0 || h.Score > 1:
		return FieldErrorf("score", "must be in [0, 1]; got %v", h.Score)
	case len(h.Explanation) > 0 && !json.Valid(h.Explanation):
		return FieldErrorf("explanation", "must be valid JSON")
	}
	return nil
}

// Screening is one screening of a party against a set of list versions.
type Screening struct {
	ID             string    `json:"id"`
	PartyID        string    `json:"party_id"`
	ScreenedAt     time.Time `json:"screened_at"`
	ListVersionIDs []string  `json:"list_version_ids"`
	Threshold      float64   `json:"threshold"`
	// Hits are ordered best first; at most one per HitKey.
	Hits []Hit `json:"hits"`
}

// Validate checks a screening before it is recorded.
func (s *Screening) Validate() error {
	if s.PartyID == "" {
		return FieldErrorf("party_id", "required")
	}
	if len(s.ListVersionIDs) == 0 {
		return FieldErrorf("list_version_ids", "at least one list version is required")
	}
	if math.IsNaN(s.Threshold) || s.Threshold < 0 || s.Threshold > 1 {
		return FieldErrorf("threshold", "must be in [0, 1]; got %v", s.Threshold)
	}
	for i := range s.Hits {
		if err := s.Hits[i].Validate(); err != nil {
			if e, ok := err.(*Error); ok {
				e.Field = fmt.Sprintf("hits[%d].%s", i, e.Field)
			}
			return err
		}
	}
	return nil
}

// HitDecision is an analyst's decision on a hit, keyed by the party and the
// listing as it was when decided (list, source id and entity digest).
type HitDecision struct {
	ID           string          `json:"id"`
	PartyID      string          `json:"party_id"`
	List         string          `json:"list"`
	SourceID     string          `json:"source_id"`
	EntityDigest string          `json:"entity_digest"`
	Kind         HitDecisionKind `json:"kind"`
	Reason       string          `json:"reason,omitempty"`
	DecidedBy    string          `json:"decided_by"`
	DecidedAt    time.Time       `json:"decided_at"`
}

// Validate checks the fields an analyst sets.
func (d *HitDecision) Validate() error {
	switch {
	case d.PartyID == "":
		return FieldErrorf("party_id", "required")
	case d.List == "":
		return FieldErrorf("list", "required")
	case d.SourceID == "":
		return FieldErrorf("source_id", "required")
	case !IsHexDigest(d.EntityDigest):
		return FieldErrorf("entity_digest", "must be a lower-case hex SHA-256 digest")
	case d.Kind != HitFalsePositive && d.Kind != HitTrueMatch:
		return FieldErrorf("kind", "must be false_positive or true_match; got %q", d.Kind)
	case d.Kind == HitFalsePositive && d.Reason == "":
		return FieldErrorf("reason", "required for a false positive")
	}
	if err := validateNameField("reason", d.Reason, false); err != nil {
		return err
	}
	return validateNameField("decided_by", d.DecidedBy, true)
}

// HitChange is a hit whose listed entry changed between two screenings.
type HitChange struct {
	Before Hit `json:"before"`
	After  Hit `json:"after"`
}

// ScreeningDiff is what changed for a party between its previous screening
// and the one just recorded.
type ScreeningDiff struct {
	Screening    *Screening      `json:"screening"`
	PreviousID   string          `json:"previous_id,omitempty"` // "" for a first screening
	New          []Hit           `json:"new,omitempty"`
	Gone         []Hit           `json:"gone,omitempty"`
	Changed      []HitChange     `json:"changed,omitempty"`
	StatusBefore ScreeningStatus `json:"status_before"`
	StatusAfter  ScreeningStatus `json:"status_after"`
}

// Empty reports whether the screening changed nothing: no hit appeared,
// disappeared or changed, and the status stayed the same.
func (d *ScreeningDiff) Empty() bool {
	return len(d.New) == 0 && len(d.Gone) == 0 && len(d.Changed) == 0 && d.StatusBefore == d.StatusAfter
}

// ScreeningFilter selects the screenings of one party.
type ScreeningFilter struct {
	PartyID string `json:"party_id"`
	Cursor  string `json:"cursor,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

// HitDecisionFilter selects the decisions taken on one party's hits.
type HitDecisionFilter struct {
	PartyID string `json:"party_id"`
	Cursor  string `json:"cursor,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

// ScreeningService records screenings and the decisions on their hits.
type ScreeningService interface {
	// RecordScreening validates s, stores it with ID and ScreenedAt set,
	// derives the party's new status and returns the difference from the
	// party's previous screening (NormalizeHits is applied to s.Hits first).
	// ENOTFOUND when the party or a list version does not exist.
	RecordScreening(ctx context.Context, s *Screening) (*ScreeningDiff, error)

	// FindScreeningByID returns a screening with the decisions in force on
	// its hits, or ENOTFOUND.
	FindScreeningByID(ctx context.Context, id string) (*Screening, error)

	// LatestScreening returns the party's newest screening, or ENOTFOUND
	// when the party does not exist or was never screened.
	LatestScreening(ctx context.Context, partyID string) (*Screening, error)

	// FindScreenings returns one page of a party's screenings, newest first.
	FindScreenings(ctx context.Context, filter ScreeningFilter) ([]*Screening, string, error)

	// DecideHit records d (ID and DecidedAt set by the store) and returns the
	// party's new status. The hit must be in the party's latest screening
	// with the same entity digest (ENOTFOUND otherwise). A later decision on
	// the same listing replaces an earlier one; all are kept as history.
	DecideHit(ctx context.Context, d *HitDecision) (ScreeningStatus, error)

	// FindHitDecisions returns one page of a party's decisions, newest first,
	// including those no longer in force.
	FindHitDecisions(ctx context.Context, filter HitDecisionFilter) ([]*HitDecision, string, error)
}

// NormalizeHits returns hits with at most one hit per listing (the one with
// the highest score, since an engine may match a listing under several of a
// party's names), ordered best first, ties by list and source id. Decisions
// are cleared: the store, not the engine, says which decision is in force.
func NormalizeHits(hits []Hit) []Hit {
	best := make(map[HitKey]int, len(hits))
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		h.Decision = nil
		if i, ok := best[h.Key()]; ok {
			if h.Score > out[i].Score {
				out[i] = h
			}
			continue
		}
		best[h.Key()] = len(out)
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.List, b.List); c != 0 {
			return c
		}
		return cmp.Compare(a.SourceID, b.SourceID)
	})
	return out
}

// DiffHits compares the hits of two screenings of a party by listing: added
// are listings only in cur, gone only in prev, and changed are in both with a
// different entity digest (the listed entry itself changed). added and
// changed follow cur's order, gone follows prev's.
func DiffHits(prev, cur []Hit) (added, gone []Hit, changed []HitChange) {
	before := make(map[HitKey]Hit, len(prev))
	for _, h := range prev {
		before[h.Key()] = h
	}
	seen := make(map[HitKey]bool, len(cur))
	for _, h := range cur {
		seen[h.Key()] = true
		p, ok := before[h.Key()]
		switch {
		case !ok:
			added = append(added, h)
		case p.EntityDigest != h.EntityDigest:
			changed = append(changed, HitChange{Before: p, After: h})
		}
	}
	for _, h := range prev {
		if !seen[h.Key()] {
			gone = append(gone, h)
		}
	}
	return added, gone, changed
}

// DeriveScreeningStatus returns the status a party has when hits (with the
// decisions in force attached) are its latest screening: blocked when any hit
// is a true match, pending_review when any hit is undecided, else clear.
func DeriveScreeningStatus(hits []Hit) ScreeningStatus {
	status := ScreeningClear
	for _, h := range hits {
		switch {
		case h.Decision != nil && h.Decision.Kind == HitTrueMatch:
			return ScreeningBlocked
		case h.Decision == nil:
			status = ScreeningPendingReview
		}
	}
	return status
}

// DecisionInForce returns the decision that applies to h among decisions (a
// party's decisions in any order): the latest one on h's listing with h's
// entity digest, or nil. A decision taken on an earlier version of the entry
// lapses, so the hit returns for review.
func DecisionInForce(h *Hit, decisions []*HitDecision) *HitDecision {
	var in *HitDecision
	for _, d := range decisions {
		if d.List != h.List || d.SourceID != h.SourceID || d.EntityDigest != h.EntityDigest {
			continue
		}
		if in == nil || d.DecidedAt.After(in.DecidedAt) || (d.DecidedAt.Equal(in.DecidedAt) && d.ID > in.ID) {
			in = d
		}
	}
	return in
}
