package screeneval

import (
	"strings"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
)

// UNResult is the figures of one file of listed individuals screened
// against the UN list.
type UNResult struct {
	File string `json:"file"`
	Rows int    `json:"rows"`
	// Resolved rows are those whose listed individual the evaluation could
	// identify independently of the engine (see resolveUN).
	Resolved int       `json:"resolved"`
	Correct  int       `json:"correct"`
	Accuracy float64   `json:"accuracy"` // Correct / Resolved
	Errors   []UNError `json:"errors,omitempty"`
}

// UNError is a row whose best hit is not its listed individual.
type UNError struct {
	Name     string   `json:"name"`
	Want     []string `json:"want"` // reference numbers of the gold entities
	WantName string   `json:"want_name,omitempty"`
	Got      string   `json:"got,omitempty"` // reference number of the best hit
	GotName  string   `json:"got_name,omitempty"`
	Score    float64  `json:"score,omitempty"`
}

// runUN screens every row against the UN list, as a person with the row's
// nationality as supporting evidence, and checks the best hit.
func runUN(path string, ix *screen.Index, un []tollgate.Entity, opts Options) (*UNResult, error) {
	t, err := readTable(path, "full_name")
	if err != nil {
		return nil, err
	}
	gold := newUNGold(un)
	r := &UNResult{File: fileLabel(path), Rows: len(t.rows)}
	queries := make([]screen.Query, len(t.rows))
	for i := range t.rows {
		queries[i] = screen.Query{Name: t.get(i, "full_name"), Type: tollgate.EntityPerson, Country: countryOf(t.get(i, "nationality"))}
	}
	results := ix.ScreenBatch(queries, 1, opts.Workers)
	for i, hits := range results {
		want := gold.resolve(t.get(i, "full_name"), t.get(i, "date_of_birth"), queries[i].Country)
		if len(want) == 0 {
			continue
		}
		r.Resolved++
		ok := len(hits) > 0 && containsEntity(want, hits[0].Entity)
		if ok {
			r.Correct++
			continue
		}
		if opts.Errors {
			e := UNError{Name: queries[i].Name, WantName: want[0].Name}
			for _, w := range want {
				e.Want = append(e.Want, w.SourceID)
			}
			if len(hits) > 0 {
				e.Got, e.GotName, e.Score = hits[0].Entity.SourceID, hits[0].MatchedName, hits[0].Score
			}
			r.Errors = append(r.Errors, e)
		}
	}
	if r.Resolved > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.Resolved)
	}
	return r, nil
}

// countryOf returns the ISO code of a nationality column ("af", "Iran"), or "".
func countryOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		s = strings.ToUpper(s)
	}
	if code, ok := lists.CountryCode(s); ok {
		return code
	}
	return ""
}

func containsEntity(set []*tollgate.Entity, e *tollgate.Entity) bool {
	for _, x := range set {
		if x == e || (x.List == e.List && x.SourceID == e.SourceID) {
			return true
		}
	}
	return false
}
