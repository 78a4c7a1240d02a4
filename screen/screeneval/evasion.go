package screeneval

import (
	"strings"

	"tollgate/screen"
)

// EvasionTopN is how far down the hits an evasion query's listed party may
// be: a person reviewing a hit reads the first few.
const EvasionTopN = 3

// EvasionResult is the figures of one evasion file: names written to slip
// past screening (a bare brand, look-alike letters, a right-to-left
// override, invisible characters, letters spaced apart, a Chinese short
// name, a formal Russian name) screened against every list, and ordinary
// names that must find nothing.
type EvasionResult struct {
	File         string       `json:"file"`
	Expected     int          `json:"expected"`
	Found        int          `json:"found"`
	Negatives    int          `json:"negatives"`
	NegativesHit int          `json:"negatives_hit"`
	Rows         []EvasionRow `json:"rows,omitempty"`
}

// EvasionRow is one query's outcome.
type EvasionRow struct {
	Query    string  `json:"query"`
	Kind     string  `json:"kind"`
	Expect   string  `json:"expect,omitempty"`
	Rank     int     `json:"rank,omitempty"` // 1-based rank of the first hit naming Expect, 0 when none in the top EvasionTopN
	TopName  string  `json:"top_name,omitempty"`
	TopScore float64 `json:"top_score,omitempty"`
	Hits     int     `json:"hits"`
	Pass     bool    `json:"pass"`
}

// runEvasion screens each query against every list. A query with an expect
// (a lower-case piece of the listed name) passes when one of the first
// EvasionTopN hits has a name or alias containing it; one without passes
// when there is no hit.
func runEvasion(path string, ix *screen.Index) (*EvasionResult, error) {
	t, err := readTable(path, "query", "kind", "expect")
	if err != nil {
		return nil, err
	}
	r := &EvasionResult{File: fileLabel(path)}
	for i := range t.rows {
		query, kind := t.get(i, "query"), t.get(i, "kind")
		expect := strings.ToLower(strings.TrimSpace(t.get(i, "expect")))
		hits := ix.Screen(screen.Query{Name: query}, 0)
		row := EvasionRow{Query: query, Kind: kind, Expect: expect, Hits: len(hits)}
		if len(hits) > 0 {
			row.TopName, row.TopScore = hits[0].MatchedName, hits[0].Score
		}
		if expect == "" {
			r.Negatives++
			row.Pass = len(hits) == 0
			if !row.Pass {
				r.NegativesHit++
			}
		} else {
			r.Expected++
		rank:
			for k, h := range hits[:min(len(hits), EvasionTopN)] {
				for _, n := range h.Entity.Names() {
					if strings.Contains(strings.ToLower(n), expect) {
						row.Rank = k + 1
						break rank
					}
				}
			}
			row.Pass = row.Rank > 0
			if row.Pass {
				r.Found++
			}
		}
		r.Rows = append(r.Rows, row)
	}
	return r, nil
}
