package screeneval

import (
	"strings"
	"unicode"

	"tollgate"
	"tollgate/screen"
)

// CrossScriptResult is the figures of one cross-script file: queries in
// Chinese or Cyrillic that must find an expected Latin listing in the CSL,
// and queries naming unlisted parties that must find nothing.
type CrossScriptResult struct {
	File         string           `json:"file"`
	Expected     int              `json:"expected"`
	Found        int              `json:"found"`
	FoundRank1   int              `json:"found_rank1"`
	Negatives    int              `json:"negatives"`
	NegativesHit int              `json:"negatives_hit"`
	Rows         []CrossScriptRow `json:"rows,omitempty"`
}

// CrossScriptRow is one query's outcome.
type CrossScriptRow struct {
	Query     string  `json:"query"`
	Expect    string  `json:"expect,omitempty"`
	Rank      int     `json:"rank,omitempty"` // 1-based rank of the expected entity, 0 when not found
	TopName   string  `json:"top_name,omitempty"`
	TopScore  float64 `json:"top_score,omitempty"`
	Hits      int     `json:"hits"`
	Pass      bool    `json:"pass"`
	Normalize string  `json:"normalized"`
}

// runCrossScript screens each query against the CSL. A query with an
// expected name passes when a hit's entity carries that name (primary or
// alias, compared case- and punctuation-insensitively); one without passes
// when there is no hit.
func runCrossScript(path string, ix *screen.Index) (*CrossScriptResult, error) {
	t, err := readTable(path, "query", "expect")
	if err != nil {
		return nil, err
	}
	r := &CrossScriptResult{File: fileLabel(path)}
	for i := range t.rows {
		query, expect := t.get(i, "query"), strings.TrimSpace(t.get(i, "expect"))
		hits := ix.Screen(screen.Query{Name: query}, 0)
		row := CrossScriptRow{Query: query, Expect: expect, Hits: len(hits), Normalize: screen.Normalize(query)}
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
			for k, h := range hits {
				if carriesName(h.Entity, expect) {
					row.Rank = k + 1
					break
				}
			}
			row.Pass = row.Rank > 0
			if row.Pass {
				r.Found++
			}
			if row.Rank == 1 {
				r.FoundRank1++
			}
		}
		r.Rows = append(r.Rows, row)
	}
	return r, nil
}

// carriesName reports whether e is listed under name: a name or alias
// containing it as a run of whole words, once parenthesized parts are
// removed from both ("National University of Defense Technology (NUDT)";
// "Chengdu Huawei Technologies Co., Ltd., Chengdu, Sichuan"; "38th
// Research" in "… Group Corporation 38th Research Institute").
func carriesName(e *tollgate.Entity, name string) bool {
	want := plainWords(stripParens(name))
	if want == "" {
		return false
	}
	for _, n := range e.Names() {
		if strings.Contains(" "+plainWords(stripParens(n))+" ", " "+want+" ") {
			return true
		}
	}
	return false
}

// plainWords lowercases s and keeps its words of letters and digits,
// separated by single spaces; punctuation inside a word ("Co.,", "High-
// Performance") is dropped without splitting it.
func plainWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = plainKey(w)
	}
	return strings.Join(strings.Fields(strings.Join(words, " ")), " ")
}

// stripParens removes parenthesized parts of s.
func stripParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainKey lowercases s and keeps letters and digits only: the comparison
// of the evaluation's ground truth, independent of the engine.
func plainKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
