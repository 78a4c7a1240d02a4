package screening

import (
	"context"
	"fmt"

	"tollgate"
	"tollgate/screen"
)

// ScreenParty screens a stored party under every name it has (legal name,
// other names, ultimate parent) against the current list versions, records
// the screening, and returns what changed since the party's previous one.
// ENOTFOUND when the party does not exist; EPRECONDITION when no list has
// been imported.
func (s *Service) ScreenParty(ctx context.Context, partyID string) (*tollgate.ScreeningDiff, error) {
	sn, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.store.FindPartyByID(ctx, partyID)
	if err != nil {
		return nil, err
	}
	qs := partyQueries(p)
	diff, err := s.record(ctx, sn, p, sn.Index.ScreenBatch(qs, s.cfg.HitsPerName, 1))
	if err != nil {
		return nil, fmt.Errorf("screening.ScreenParty: %w", err)
	}
	return diff, nil
}

// partyQueries returns one engine query per name of the party.
func partyQueries(p *tollgate.Party) []screen.Query {
	names := p.Names()
	qs := make([]screen.Query, len(names))
	for i, n := range names {
		qs[i] = screen.Query{Name: n, Type: p.Type, Country: p.Country}
	}
	return qs
}

// record stores the hits of a party's names as one screening.
func (s *Service) record(ctx context.Context, sn *Snapshot, p *tollgate.Party, perName [][]screen.Hit) (*tollgate.ScreeningDiff, error) {
	var hits []tollgate.Hit
	for _, hs := range perName {
		for i := range hs {
			h, err := sn.hit(&hs[i], true)
			if err != nil {
				return nil, err
			}
			hits = append(hits, h)
		}
	}
	sc := &tollgate.Screening{
		PartyID:        p.ID,
		ListVersionIDs: sn.VersionIDs(),
		Threshold:      sn.Index.Config().Threshold,
		Hits:           tollgate.NormalizeHits(hits),
	}
	return s.store.RecordScreening(ctx, sc)
}

// PartyChange is the outcome of re-screening one party whose result
// changed.
type PartyChange struct {
	PartyID   string                  `json:"party_id"`
	LegalName string                  `json:"legal_name"`
	Diff      *tollgate.ScreeningDiff `json:"diff"`
}

// RescreenReport is the outcome of re-screening every party.
type RescreenReport struct {
	ListVersions []VersionRef `json:"list_versions"`
	// Screened counts the parties screened.
	Screened int `json:"screened"`
	// Changed lists only the parties whose hits or status changed: new
	// hits, hits gone, hits whose listed entry changed (their decisions
	// lapse and they return for review).
	Changed []PartyChange `json:"changed"`
}

// rescreenPage is how many parties Rescreen loads and screens at a time.
const rescreenPage = 500

// Rescreen screens every stored party against the current list versions,
// records each result, and reports the parties whose result changed. All
// parties are screened against the same versions, even if a list is
// imported meanwhile. A party deleted while the run is going is skipped.
func (s *Service) Rescreen(ctx context.Context) (*RescreenReport, error) {
	sn, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	rep := &RescreenReport{ListVersions: versionRefs(sn.Versions), Changed: []PartyChange{}}
	cursor := ""
	for {
		parties, next, err := s.store.FindParties(ctx, tollgate.PartyFilter{Cursor: cursor, Limit: rescreenPage})
		if err != nil {
			return nil, fmt.Errorf("screening.Rescreen: %w", err)
		}
		if err := s.rescreenPage(ctx, sn, parties, rep); err != nil {
			return nil, err
		}
		if next == "" {
			return rep, nil
		}
		cursor = next
	}
}

// rescreenPage screens a page of parties in one parallel batch, then
// records each party's screening.
func (s *Service) rescreenPage(ctx context.Context, sn *Snapshot, parties []*tollgate.Party, rep *RescreenReport) error {
	var qs []screen.Query
	spans := make([][2]int, len(parties))
	for i, p := range parties {
		start := len(qs)
		qs = append(qs, partyQueries(p)...)
		spans[i] = [2]int{start, len(qs)}
	}
	hits := sn.Index.ScreenBatch(qs, s.cfg.HitsPerName, s.cfg.Workers)
	for i, p := range parties {
		if err := ctx.Err(); err != nil {
			return err
		}
		diff, err := s.record(ctx, sn, p, hits[spans[i][0]:spans[i][1]])
		if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
			continue
		}
		if err != nil {
			return fmt.Errorf("screening.Rescreen: party %s: %w", p.ID, err)
		}
		rep.Screened++
		if !diff.Empty() {
			rep.Changed = append(rep.Changed, PartyChange{PartyID: p.ID, LegalName: p.LegalName, Diff: diff})
		}
	}
	return nil
}
