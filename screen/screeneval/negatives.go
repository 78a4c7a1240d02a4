package screeneval

import (
	"tollgate"
	"tollgate/screen"
)

// NegativesResult is the figures of one file of ordinary names screened
// against every list: each hit is a false alarm.
type NegativesResult struct {
	File    string          `json:"file"`
	Names   int             `json:"names"`
	WithHit int             `json:"with_hit"`
	Rate    float64         `json:"rate"`
	Errors  []NegativeError `json:"errors,omitempty"`
}

// NegativeError is an ordinary name that produced a hit.
type NegativeError struct {
	Name    string  `json:"name"`
	Country string  `json:"country,omitempty"`
	List    string  `json:"list"`
	ID      string  `json:"source_id"`
	Matched string  `json:"matched"`
	Score   float64 `json:"score"`
}

// runNegatives screens every name as a person, with the row's nationality
// as supporting evidence.
func runNegatives(path string, ix *screen.Index, opts Options) (*NegativesResult, error) {
	t, err := readTable(path, "full_name")
	if err != nil {
		return nil, err
	}
	queries := make([]screen.Query, len(t.rows))
	for i := range t.rows {
		queries[i] = screen.Query{Name: t.get(i, "full_name"), Type: tollgate.EntityPerson, Country: countryOf(t.get(i, "nationality"))}
	}
	r := &NegativesResult{File: fileLabel(path), Names: len(queries)}
	for i, hits := range ix.ScreenBatch(queries, 1, opts.Workers) {
		if len(hits) == 0 {
			continue
		}
		r.WithHit++
		if opts.Errors {
			h := hits[0]
			r.Errors = append(r.Errors, NegativeError{Name: queries[i].Name, Country: queries[i].Country,
				List: h.Entity.List, ID: h.Entity.SourceID, Matched: h.MatchedName, Score: h.Score})
		}
	}
	if r.Names > 0 {
		r.Rate = float64(r.WithHit) / float64(r.Names)
	}
	return r, nil
}
