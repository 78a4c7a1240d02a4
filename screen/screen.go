// Package screen matches names against restricted-party lists.
//
// A name goes through the same pipeline whether it is a query or a listed
// name (normalize.go): Unicode NFKC, case and diacritics folding,
// punctuation, transliteration of every script to Latin (Cyrillic, Greek,
// Armenian and Arabic letter by letter, fold.go; Hebrew, Georgian, Korean,
// Japanese kana, the Brahmic scripts, Ethiopic and the rest a word at a
// time, script.go and romanize.go; Chinese to pinyin with a dictionary of
// the words of company, institution and place names, chinese.go, and a
// foreign name transcribed in Chinese characters, 贝拉克·奥巴马, as its
// syllables), legal forms recognised in many languages and reduced to one
// token per family (legal.go), and OFAC's "SURNAME, Given" order. Words
// that a name may spell two ways keep an alternative spelling: the pinyin
// of a translated Chinese word, the English of a Russian one, the full form
// of a nickname, the usual spelling of a Korean surname.
//
// Two names are compared token by token (compare.go, align.go): every pair
// of tokens that are equal, one typo apart, or alike in sound (a phonetic
// key that maps transliteration variants together, phonetic.go) is a
// candidate, as are two tokens written together on one side, initials and
// acronyms; the alignment takes the best pairs, and the score weighs matched
// tokens against unmatched ones on both sides. A token written in another
// script than its partner is compared as sound, with the tolerances of that
// script (crossscript.go): an Arabic or Hebrew name does not write its short
// vowels, Korean does not tell k from g, a Chinese transcription adds
// vowels. Tokens are weighted by how rare they are on the loaded lists
// (weights.go), so that "Huawei" matters and "Technology Co Ltd" barely
// does. Entity type and country are supporting evidence. Every hit carries
// an Explanation.
//
// An Index (index.go, search.go) holds the loaded lists with an inverted
// index: exact tokens, a deletion neighbourhood for typos, phonetic keys and
// plural stems lead from a query word to similar listed words without
// scanning the vocabulary, and postings lead to the names that contain them;
// only names that can reach the threshold are scored. An Index is immutable
// once built and safe for concurrent use.
//
// The package is a pure engine: it reads neither the environment nor the
// clock; everything it needs is passed in Config.
package screen

import (
	"strings"

	"tollgate"
)

// DefaultThreshold is the score at or above which a candidate is reported as
// a hit. It was chosen on the development sets in ../shared/data/eval: lower
// thresholds raise name-pair recall a little but make ordinary names hit the
// lists more than once in a thousand; at 0.86 name-pair F1 is 0.86 (0.90 on
// pairs with a name outside ASCII) and 0.07% of ordinary names hit (see
// `tollgate eval screen`).
const DefaultThreshold = 0.86

// Config holds the engine's tunable parameters. The zero value is not useful;
// start from DefaultConfig and change what you need.
type Config struct {
	// Threshold is the minimum score of a reported hit, in [0,1].
	Threshold float64
	// TypeBonus is added to the score when the query's entity type equals
	// the listed entity's type, and subtracted when they differ (both must be
	// known). It is evidence, not a filter.
	TypeBonus float64
	// CountryBonus is added when the query's country is among the listed
	// entity's countries, and subtracted when the listed entity has
	// countries and the query's is not among them.
	CountryBonus float64
	// MaxCandidates bounds how many candidate names a query scores in full
	// after retrieval from the index; it caps the cost of very common query
	// tokens.
	MaxCandidates int
}

// DefaultConfig returns the configuration the quality and speed figures were
// measured with.
func DefaultConfig() Config {
	return Config{
		Threshold:     DefaultThreshold,
		TypeBonus:     0.05,
		CountryBonus:  0.05,
		MaxCandidates: 400,
	}
}

// Query is one name to screen, with optional supporting evidence.
type Query struct {
	// Name is the name as given, in any script.
	Name string
	// Type is the kind of party, when known.
	Type tollgate.EntityType
	// Country is an ISO 3166-1 alpha-2 code, when known.
	Country string
	// MinScore, when positive, replaces the index's Config.Threshold for
	// this query.
	MinScore float64
}

// Hit is one listed entity that matched a query.
type Hit struct {
	// Entity is the listed record, shared with the Index; do not modify it.
	Entity *tollgate.Entity
	// Score is in [0,1]; higher is a closer match.
	Score float64
	// MatchedName is the listed name or alias (as listed) that scored best;
	// it may be one of the entity's weak aliases.
	MatchedName string
	// Explanation says why the score is what it is.
	Explanation Explanation
}

// Explanation accounts for a score: the two names as normalized, how their
// tokens were aligned, and the evidence that moved the score.
type Explanation struct {
	// Query is the query name after normalization and transliteration.
	Query string `json:"query"`
	// Matched is the listed name (as listed) the query was compared with.
	Matched string `json:"matched,omitempty"`
	// Listed is that name after normalization and transliteration.
	Listed string `json:"listed"`
	// NameScore is the name similarity in [0,1] before type and country
	// evidence.
	NameScore float64 `json:"name_score"`
	// BareName is set when the query is the listed name's distinctive
	// word(s) alone, the rest of the listed name being generic words and
	// legal forms ("Huawei" for "Huawei Technologies Co., Ltd."): NameScore
	// is then a fixed score between the threshold and a full match
	// (bare.go).
	BareName bool `json:"bare_name,omitempty"`
	// TypeAdjust and CountryAdjust are what entity type and country added to
	// (or took from) NameScore.
	TypeAdjust    float64 `json:"type_adjust,omitempty"`
	CountryAdjust float64 `json:"country_adjust,omitempty"`
	// AliasAdjust is negative when the matched name is an alias the list
	// itself calls weak (tollgate.Entity.WeakAltNames).
	AliasAdjust float64 `json:"alias_adjust,omitempty"`
	// Tokens lists every token of both names: aligned pairs first, then the
	// query's and the listed name's unmatched tokens.
	Tokens []TokenMatch `json:"tokens"`
	// Warnings says what the query hid and how it was read: a bidi override
	// (the name stored differs from the name displayed), invisible
	// characters, letters of mixed or look-alike scripts, letters spaced
	// apart. Such a query deserves a closer look whatever its score.
	Warnings []string `json:"warnings,omitempty"`
}

// TokenMatch is one step of the alignment of two names.
type TokenMatch struct {
	// Query and Listed are the aligned tokens; one of them is empty when a
	// token found no partner.
	Query  string `json:"query,omitempty"`
	Listed string `json:"listed,omitempty"`
	// Similarity of the two tokens in [0,1] (0 for an unmatched token).
	Similarity float64 `json:"similarity"`
	// Weight is the token's weight in the score: high for rare tokens, low
	// for common words and legal forms.
	Weight float64 `json:"weight"`
	// How names the evidence: "exact", "fuzzy", "phonetic", "initial",
	// "joined", "legal-form", "translation", "acronym", "transliteration"
	// (alike in sound across two scripts), or "unmatched".
	How string `json:"how"`
}

// Compare scores how likely name1 and name2 name the same party, in [0,1],
// and explains the score. typ is the kind of party both names are for
// (tollgate.EntityUnknown when not known): a person's name is never read
// with ambiguous legal forms ("Sá" is not S.A.) or as an acronym, and OFAC's
// comma order is not applied to an organization's.
// Without loaded lists token weights come from built-in knowledge of common
// words and legal forms; (*Index).Compare uses weights learned from the lists.
// A pair scoring at or above DefaultThreshold is a match.
func Compare(name1, name2 string, typ tollgate.EntityType) (float64, Explanation) {
	return compareWith(defaultWeights, name1, name2, typ)
}

// Normalize returns name as the engine sees it: folded, transliterated to
// Latin, with punctuation removed and legal forms reduced to a canonical
// spelling, tokens separated by single spaces. Normalizing the result again
// gives the result, except that pinyin read from Chinese characters may take
// the Latin rules once more (本 "ben", read again, is the particle "bin").
func Normalize(name string) string {
	return analyze(name, tollgate.EntityUnknown).String()
}

// ParseType maps the usual spellings of an entity type ("person",
// "individual", "org", "organization", "company", "entity", "legalentity",
// "vessel", "aircraft", or empty) to a tollgate.EntityType, case-insensitively.
func ParseType(s string) (tollgate.EntityType, error) {
	return parseType(s)
}

// NewIndex builds an Index over entities for screening with cfg. It keeps
// pointers into entities, which the caller must not modify afterwards.
// Token weights are learned from the names of all entities.
func NewIndex(entities []tollgate.Entity, cfg Config) *Index {
	return buildIndex(entities, cfg)
}

// Len returns the number of entities in the index.
func (ix *Index) Len() int { return len(ix.entities) }

// Names returns the number of names (primary names and aliases) indexed.
func (ix *Index) Names() int { return len(ix.names) }

// Config returns the configuration the index was built with.
func (ix *Index) Config() Config { return ix.cfg }

// Screen returns up to limit hits for q scoring at or above the threshold
// (q.MinScore, else the index's Config.Threshold), best first, at most one
// per entity. limit <= 0 means no limit. It is safe for concurrent use.
func (ix *Index) Screen(q Query, limit int) []Hit {
	s := ix.getScratch()
	defer ix.putScratch(s)
	return ix.screen(s, q, limit)
}

// ScreenBatch screens every query with workers goroutines (runtime.NumCPU()
// when workers <= 0) and returns the hits of queries[i] at index i.
func (ix *Index) ScreenBatch(queries []Query, limit, workers int) [][]Hit {
	return ix.screenBatch(queries, limit, workers)
}

// Compare is the package-level Compare with token weights learned from the
// index's lists.
func (ix *Index) Compare(name1, name2 string, typ tollgate.EntityType) (float64, Explanation) {
	return compareWith(ix.weights, name1, name2, typ)
}

// parseType implements ParseType.
func parseType(s string) (tollgate.EntityType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown", "any":
		return tollgate.EntityUnknown, nil
	case "person", "individual", "people":
		return tollgate.EntityPerson, nil
	case "org", "organization", "organisation", "company", "entity", "legalentity", "legal_entity", "business":
		return tollgate.EntityOrganization, nil
	case "vessel", "ship":
		return tollgate.EntityVessel, nil
	case "aircraft", "airplane":
		return tollgate.EntityAircraft, nil
	}
	return tollgate.EntityUnknown, tollgate.FieldErrorf("type", "unknown entity type %q (want person, organization, vessel or aircraft)", s)
}
