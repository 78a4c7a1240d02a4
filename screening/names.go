package screening

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"tollgate"
	"tollgate/screen"
)

// MaxNameBytes bounds one screened name.
const MaxNameBytes = 1000

// NameQuery is one name to screen, with optional supporting evidence.
type NameQuery struct {
	Name    string              `json:"name"`
	Type    tollgate.EntityType `json:"type,omitempty"`
	Country string              `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// Validate checks a query; field names are relative to the query.
func (q *NameQuery) Validate() error {
	switch {
	case strings.TrimSpace(q.Name) == "":
		return tollgate.FieldErrorf("name", "required")
	case !utf8.ValidString(q.Name):
		return tollgate.FieldErrorf("name", "must be valid UTF-8")
	case len(q.Name) > MaxNameBytes:
		return tollgate.FieldErrorf("name", "longer than %d bytes", MaxNameBytes)
	case !q.Type.Valid():
		return tollgate.FieldErrorf("type", "must be person, organization, vessel or aircraft; got %q", q.Type)
	case q.Country != "" && !tollgate.IsCountryCode(q.Country):
		return tollgate.FieldErrorf("country", "must be an ISO 3166-1 alpha-2 code such as US or CN; got %q", q.Country)
	}
	return nil
}

// NamesOptions tunes one ScreenNames call.
type NamesOptions struct {
	// Threshold replaces the configured threshold when positive; at most 1.
	Threshold float64
	// Explain includes the engine's explanation of every hit.
	Explain bool
}

// VersionRef names a list version a screening ran against.
type VersionRef struct {
	ID          string    `json:"id"`
	Source      string    `json:"source"`
	Digest      string    `json:"digest"`
	Published   time.Time `json:"published,omitzero"`
	EntityCount int       `json:"entity_count"`
}

// NamesResult is the outcome of screening a batch of names.
type NamesResult struct {
	ListVersions []VersionRef `json:"list_versions"`
	Threshold    float64      `json:"threshold"`
	Results      []NameResult `json:"results"`
}

// NameResult holds the hits of one name, best first, in the order the
// names were given.
type NameResult struct {
	Name string    `json:"name"`
	Hits []NameHit `json:"hits"`
}

// NameHit is a hit with enough of the listed entity to judge it: its list
// (Hit.List) and the list version it came from, its programs, addresses and
// Federal Register citation, so that "different address" or "different
// program" can be decided from the hit alone.
type NameHit struct {
	tollgate.Hit
	Type      tollgate.EntityType `json:"type,omitempty"`
	Countries []string            `json:"countries,omitempty"`
	Programs  []string            `json:"programs,omitempty"`
	Addresses []tollgate.Address  `json:"addresses,omitempty"`
	Citation  string              `json:"citation,omitempty"`
	// ListVersion is the id of the list version the entry came from.
	ListVersion string `json:"list_version,omitempty"`
}

// nameHit returns h with the details of its listed entry e.
func (sn *Snapshot) nameHit(h tollgate.Hit, e *tollgate.Entity) NameHit {
	out := NameHit{Hit: h, Type: e.Type, Countries: e.Countries, Programs: e.Programs, Addresses: e.Addresses, Citation: e.Citation}
	if v := sn.VersionOf(e); v != nil {
		out.ListVersion = v.ID
	}
	return out
}

// ScreenNames screens queries against the current list versions and
// records nothing. Queries must be valid (see NameQuery.Validate).
func (s *Service) ScreenNames(ctx context.Context, queries []NameQuery, opts NamesOptions) (*NamesResult, error) {
	if math.IsNaN(opts.Threshold) || opts.Threshold < 0 || opts.Threshold > 1 {
		return nil, tollgate.FieldErrorf("threshold", "must be in (0, 1]; got %v", opts.Threshold)
	}
	sn, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	threshold := sn.Index.Config().Threshold
	if opts.Threshold > 0 {
		threshold = opts.Threshold
	}
	qs := make([]screen.Query, len(queries))
	for i, q := range queries {
		qs[i] = screen.Query{Name: q.Name, Type: q.Type, Country: q.Country, MinScore: opts.Threshold}
	}
	batches := sn.Index.ScreenBatch(qs, s.cfg.HitsPerName, s.cfg.Workers)
	res := &NamesResult{ListVersions: versionRefs(sn.Versions), Threshold: threshold, Results: make([]NameResult, len(queries))}
	for i, hits := range batches {
		out := make([]NameHit, len(hits))
		for j := range hits {
			h, err := sn.hit(&hits[j], opts.Explain)
			if err != nil {
				return nil, fmt.Errorf("screening.ScreenNames: %w", err)
			}
			out[j] = sn.nameHit(h, hits[j].Entity)
		}
		res.Results[i] = NameResult{Name: queries[i].Name, Hits: out}
	}
	return res, nil
}

// hit converts an engine hit into the domain's, with the listed entity's
// digest (decisions are keyed by it) and, when explain is set, the
// explanation as JSON.
func (sn *Snapshot) hit(h *screen.Hit, explain bool) (tollgate.Hit, error) {
	out := tollgate.Hit{
		List:         h.Entity.List,
		SourceID:     h.Entity.SourceID,
		EntityDigest: sn.digest(h.Entity),
		Name:         h.Entity.Name,
		MatchedName:  h.MatchedName,
		Score:        h.Score,
	}
	if explain {
		b, err := json.Marshal(h.Explanation)
		if err != nil {
			return tollgate.Hit{}, err
		}
		out.Explanation = b
	}
	return out, nil
}

func versionRefs(vs []*tollgate.ListVersion) []VersionRef {
	refs := make([]VersionRef, len(vs))
	for i, v := range vs {
		refs[i] = VersionRef{ID: v.ID, Source: v.Source, Digest: v.Digest, Published: v.Published, EntityCount: v.EntityCount}
	}
	return refs
}
