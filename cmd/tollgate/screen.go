package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
	"tollgate/screening"
)

// screenFlags are the options of "tollgate screen".
type screenFlags struct {
	lists     []string
	db        string
	typ       string
	country   string
	threshold float64
	limit     int
	json      bool
	explain   bool
	in        string
	out       string
	workers   int
}

func newScreenCmd(c *cli) *cobra.Command {
	var f screenFlags
	cmd := &cobra.Command{
		Use:   "screen NAME... | --in FILE.csv",
		Short: "Screen names against the restricted-party lists",
		Long: `screen matches a name against the restricted-party lists and prints the hits
scoring at or above the threshold, best first: score, list, source id, listed
name, the alias that matched, entity type and countries. NAME may be written in
any script (Chinese and Cyrillic are transliterated) and may be several
arguments, joined by spaces. --type and --country are supporting evidence, not
filters. --explain shows, for each hit, how the tokens of the two names were
aligned and with what weights.

The lists come from --list PATH (repeatable; a CSL CSV, an OFAC directory or
sdn.csv, the UN XML, the BIS DPL text or an internal-list CSV, detected from
the content). Without --list, screen uses the newest imported version of each
list in the store (--db; see "tollgate lists import").

With --in FILE.csv, screen reads a CSV file (header required; a name column,
optional id, type and country columns, in any order; "-" is standard input)
and writes JSON Lines (to --out, else standard output), one line per row in
input order:
  {"id":…,"query":…,"hits":[{"score","list","source_id","name","matched_name","type"}]}
id is the row's id column, else its line number; --type and --country apply
to rows whose own column is empty. A bad row (empty name, bad
type or country, wrong number of columns) is reported on standard error with
its line number and skipped. A summary (rows, screened, skipped, rows with
hits, names/s) ends on standard error, after a progress line when standard
error is a terminal; --out is written in full or not at all.

"tollgate screen compare" scores two names against each other.`,
		Example: `  tollgate screen 北京华为数字技术有限公司 --list ../shared/data/lists/csl/consolidated-2022-04.csv.gz
  tollgate screen Huawei Technologies --type org --country CN --explain
  tollgate screen "Sergei Ivanov" --list ../shared/data/lists/un/consolidated-2026-02-27.xml --json
  tollgate screen --in customers.csv --out hits.jsonl --workers 2
  tollgate screen compare "Xi Jinping" "Hsi Chin-ping" --type person`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.in != "" {
				if len(args) > 0 {
					return usageErrorf("--in: give either NAME or --in FILE.csv, not both")
				}
				return c.runScreenBatch(cmd.Context(), f)
			}
			return c.runScreenName(cmd.Context(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.lists, "list", nil, "list file or OFAC directory to screen against (repeatable; default: the store's current lists)")
	addDBFlag(cmd, &f.db)
	fl.StringVar(&f.typ, "type", "", "the party's type: person, org (organization), vessel or aircraft")
	fl.StringVar(&f.country, "country", "", "the party's country: an ISO 3166-1 alpha-2 code such as CN, or a country name")
	fl.Float64Var(&f.threshold, "threshold", screen.DefaultThreshold, "report hits scoring at or above this, in [0,1]")
	fl.IntVar(&f.limit, "limit", 10, "at most this many hits per name, best first (0: no limit)")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.BoolVar(&f.explain, "explain", false, "explain each hit: token alignment and weights")
	fl.StringVar(&f.in, "in", "", `screen every row of this CSV file ("-": standard input) and write JSON Lines`)
	fl.StringVar(&f.out, "out", "", "with --in: write the JSON Lines to this file (default: standard output)")
	fl.IntVar(&f.workers, "workers", 0, "with --in: screening goroutines (0: one per CPU)")
	cmd.AddCommand(newScreenCompareCmd(c))
	return cmd
}

// validate checks the flags every screen mode shares.
func (f *screenFlags) validate() error {
	if err := screenThreshold(f.threshold); err != nil {
		return err
	}
	if f.limit < 0 {
		return usageErrorf("--limit: %d is negative (0 means no limit)", f.limit)
	}
	if f.workers < 0 {
		return usageErrorf("--workers: %d is negative (0 means one per CPU)", f.workers)
	}
	if len(f.lists) > 0 && f.db != "" {
		return usageErrorf("--db: lists come either from --list files or from the store, not both")
	}
	return nil
}

// screenThreshold rejects a --threshold outside [0,1].
func screenThreshold(t float64) error {
	if math.IsNaN(t) || t < 0 || t > 1 {
		return usageErrorf("--threshold: %v is not in [0,1]", t)
	}
	return nil
}

// screenConfig is the engine configuration for a threshold.
func screenConfig(threshold float64) screen.Config {
	cfg := screen.DefaultConfig()
	cfg.Threshold = threshold
	return cfg
}

// screenQuery builds the engine query for one name, checking its type and
// country; errors are tollgate field errors ("name", "type", "country").
func screenQuery(name, typ, country string) (screen.Query, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return screen.Query{}, tollgate.FieldErrorf("name", "required")
	case !utf8.ValidString(name):
		return screen.Query{}, tollgate.FieldErrorf("name", "must be valid UTF-8")
	case len(name) > screening.MaxNameBytes:
		return screen.Query{}, tollgate.FieldErrorf("name", "longer than %d bytes", screening.MaxNameBytes)
	}
	t, err := screen.ParseType(typ)
	if err != nil {
		return screen.Query{}, tollgate.FieldErrorf("type", "%q is not person, org (organization), vessel or aircraft", strings.TrimSpace(typ))
	}
	cc, err := screenCountry(country)
	if err != nil {
		return screen.Query{}, err
	}
	return screen.Query{Name: name, Type: t, Country: cc}, nil
}

// screenCountry accepts an ISO 3166-1 alpha-2 code in either case or a
// country name as the lists write it; empty stays empty.
func screenCountry(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) == 2 {
		s = strings.ToUpper(s)
	}
	cc, ok := lists.CountryCode(s)
	if !ok {
		return "", tollgate.FieldErrorf("country", "%q is not a country (want an ISO 3166-1 alpha-2 code such as CN, or a country name)", s)
	}
	return cc, nil
}

// screenFlagError turns a field error from screenQuery into a usage error naming
// the flag or argument it came from.
func screenFlagError(err error) error {
	var te *tollgate.Error
	if !errors.As(err, &te) || te.Field == "" {
		return err
	}
	name := "--" + te.Field
	if te.Field == "name" {
		name = "NAME"
	}
	return usageErrorf("%s: %s", name, te.Message)
}

// screenNameReport is the --json output of screening one name.
type screenNameReport struct {
	Query     string          `json:"query"`
	Type      string          `json:"type,omitempty"`
	Country   string          `json:"country,omitempty"`
	Threshold float64         `json:"threshold"`
	Lists     []screenListRef `json:"lists"`
	Hits      []screenHitJSON `json:"hits"`
}

// screenHitJSON is one hit in screenNameReport.
type screenHitJSON struct {
	Score       float64             `json:"score"`
	List        string              `json:"list"`
	SourceID    string              `json:"source_id"`
	Name        string              `json:"name"`
	MatchedName string              `json:"matched_name"`
	Type        tollgate.EntityType `json:"type"`
	Countries   []string            `json:"countries"`
	Programs    []string            `json:"programs"`
	Addresses   []tollgate.Address  `json:"addresses"`
	Citation    string              `json:"citation"`
	// ListedIn is the list the entry came from: "version ID" for a stored
	// list version, else the --list file's path; empty when unknown.
	ListedIn string `json:"listed_in"`
	// Warnings says what the query hid (a bidi override, look-alike
	// letters …), with or without --explain.
	Warnings    []string            `json:"warnings,omitempty"`
	Explanation *screen.Explanation `json:"explanation,omitempty"`
}

func (c *cli) runScreenName(ctx context.Context, args []string, f screenFlags) error {
	if f.out != "" || f.workers != 0 {
		return usageErrorf("--out and --workers apply to --in FILE.csv only")
	}
	if err := f.validate(); err != nil {
		return err
	}
	if len(args) == 0 {
		return usageErrorf("NAME: required (or --in FILE.csv)")
	}
	q, err := screenQuery(strings.Join(args, " "), f.typ, f.country)
	if err != nil {
		return screenFlagError(err)
	}
	set, err := c.loadScreenLists(ctx, f.lists, f.db, screenConfig(f.threshold))
	if err != nil {
		return err
	}
	q.MinScore = f.threshold
	hits := set.index.Screen(q, f.limit)
	rep := screenNameReport{Query: q.Name, Type: string(q.Type), Country: q.Country,
		Threshold: f.threshold, Lists: set.refs, Hits: make([]screenHitJSON, len(hits))}
	for i := range hits {
		h := &hits[i]
		e := h.Entity
		rep.Hits[i] = screenHitJSON{Score: screenRound(h.Score), List: e.List, SourceID: e.SourceID, Name: e.Name,
			MatchedName: h.MatchedName, Type: e.Type, Countries: screenNonNil(e.Countries), Programs: screenNonNil(e.Programs),
			Addresses: e.Addresses, Citation: e.Citation, ListedIn: set.listedIn(e), Warnings: h.Explanation.Warnings}
		if rep.Hits[i].Addresses == nil {
			rep.Hits[i].Addresses = []tollgate.Address{}
		}
		if f.explain {
			rep.Hits[i].Explanation = &h.Explanation
		}
	}
	if f.json {
		return writeJSON(c.stdout, rep)
	}
	return printScreenName(c.stdout, &rep)
}

// screenRound rounds a score to four decimals for output.
func screenRound(s float64) float64 { return math.Round(s*1e4) / 1e4 }

func screenNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// screenListSet is the index a screen command runs against and the lists
// it was built from.
type screenListSet struct {
	index *screen.Index
	refs  []screenListRef
	// listedIn names the list an indexed entry came from ("" unknown).
	listedIn func(*tollgate.Entity) string
}

// screenListRef names one list a screening ran against: a file (Path) or a
// version in the store (Version).
type screenListRef struct {
	Path      string `json:"path,omitempty"`
	Version   string `json:"version,omitempty"`
	Source    string `json:"source"`
	Format    string `json:"format"`
	Digest    string `json:"digest"`
	Published string `json:"published,omitempty"`
	Entities  int    `json:"entities"`
	// Problems counts the malformed records the parser reported and skipped.
	Problems int `json:"problems,omitempty"`
}

// noListsMessage is what screening says when there is nothing to screen
// against.
const noListsMessage = "no lists: pass --list PATH or run tollgate lists import"

// loadScreenLists builds the index over the --list files, or over the
// store's current list versions when no file is given.
func (c *cli) loadScreenLists(ctx context.Context, paths []string, dsn string, cfg screen.Config) (*screenListSet, error) {
	if len(paths) > 0 {
		return loadListFiles(paths, cfg)
	}
	st, err := c.openStore(dsn)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	svc := screening.New(st, slog.New(slog.DiscardHandler), screening.Config{Engine: cfg})
	sn, err := svc.Current(ctx)
	if tollgate.ErrorCode(err) == tollgate.EPRECONDITION {
		return nil, tollgate.Errorf(tollgate.EPRECONDITION, noListsMessage)
	}
	if err != nil {
		return nil, err
	}
	set := &screenListSet{index: sn.Index, listedIn: func(e *tollgate.Entity) string {
		if v := sn.VersionOf(e); v != nil {
			return "version " + v.ID
		}
		return ""
	}}
	for _, v := range sn.Versions {
		set.refs = append(set.refs, screenListRef{Version: v.ID, Source: v.Source, Format: v.Format,
			Digest: v.Digest, Published: screenDate(v.Published), Entities: v.EntityCount, Problems: v.ProblemCount})
	}
	return set, nil
}

// loadListFiles parses every list file and indexes their entities together.
// A path that is missing or not a list is a usage error naming --list.
func loadListFiles(paths []string, cfg screen.Config) (*screenListSet, error) {
	set := &screenListSet{}
	var entities []tollgate.Entity
	for _, p := range paths {
		res, err := lists.Load(p)
		if err != nil {
			switch tollgate.ErrorCode(err) {
			case tollgate.EINVALID, tollgate.ENOTFOUND:
				return nil, usageErrorf("--list: %s", tollgate.ErrorMessage(err))
			}
			return nil, fmt.Errorf("--list %s: %w", p, err)
		}
		if entities == nil {
			entities = res.Entities
		} else {
			entities = append(entities, res.Entities...)
		}
		set.refs = append(set.refs, screenListRef{Path: p, Source: screening.SourceOf(res.Format), Format: string(res.Format),
			Digest: res.Digest, Published: screenDate(res.Published), Entities: len(res.Entities), Problems: len(res.Problems)})
	}
	if len(entities) == 0 {
		return nil, tollgate.Errorf(tollgate.EPRECONDITION, "no lists: the --list files hold no entities")
	}
	set.index = screen.NewIndex(entities, cfg)
	file := make(map[*tollgate.Entity]string, len(entities))
	i := 0
	for k, r := range set.refs {
		for range r.Entities {
			file[&entities[i]] = paths[k]
			i++
		}
	}
	set.listedIn = func(e *tollgate.Entity) string { return file[e] }
	return set, nil
}

// screenDate formats a publication date, empty when unknown.
func screenDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// printScreenName writes the result of screening one name for a person:
// the lists, a table of hits, and with explanations one block per hit.
func printScreenName(w io.Writer, rep *screenNameReport) error {
	var b strings.Builder
	printListRefs(&b, rep.Lists)
	if len(rep.Hits) == 0 {
		fmt.Fprintf(&b, "%s: no hits at or above %.2f\n", rep.Query, rep.Threshold)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%s: %d %s at or above %.2f\n", rep.Query, len(rep.Hits), screenPlural(len(rep.Hits), "hit", "hits"), rep.Threshold)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSCORE\tLIST\tSOURCE ID\tLISTED NAME\tMATCHED ALIAS\tTYPE\tCOUNTRIES")
	for i, h := range rep.Hits {
		matched := "—"
		if h.MatchedName != h.Name {
			matched = screenClip(h.MatchedName, 40)
		}
		// The source id is printed whole: it is what "parties decide
		// --source-id" takes.
		fmt.Fprintf(tw, "%d\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, h.Score, h.List, h.SourceID,
			screenClip(h.Name, 48), matched, screenDash(string(h.Type)), screenDash(strings.Join(h.Countries, " ")))
	}
	tw.Flush()
	b.WriteString("\n")
	for i, h := range rep.Hits {
		printHitDetails(&b, i+1, &h)
	}
	for i, h := range rep.Hits {
		if h.Explanation != nil {
			fmt.Fprintf(&b, "\n#%d %s %s %q, matched as %q\n", i+1, h.List, h.SourceID, h.Name, h.MatchedName)
			printExplanation(&b, h.Explanation, [2]string{"query", "listed"}, "  ")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printHitDetails writes what a person needs to decide hit n without
// looking the entry up: where it is listed, its programs, its Federal
// Register citation and its addresses, and what the query hid.
func printHitDetails(b *strings.Builder, n int, h *screenHitJSON) {
	fmt.Fprintf(b, "#%d %s %s", n, h.List, h.SourceID)
	if h.ListedIn != "" {
		fmt.Fprintf(b, "  (from %s)", h.ListedIn)
	}
	b.WriteString("\n")
	for _, w := range h.Warnings {
		fmt.Fprintf(b, "   warning:   %s\n", w)
	}
	if len(h.Programs) > 0 {
		fmt.Fprintf(b, "   programs:  %s\n", strings.Join(h.Programs, "; "))
	}
	if h.Citation != "" {
		fmt.Fprintf(b, "   citation:  %s\n", h.Citation)
	}
	const maxAddresses = 3
	for i, a := range h.Addresses {
		if i == maxAddresses {
			fmt.Fprintf(b, "   address:   … and %d more (--json lists them all)\n", len(h.Addresses)-maxAddresses)
			break
		}
		fmt.Fprintf(b, "   address:   %s\n", screenAddress(a))
	}
}

// screenAddress writes an address on one line.
func screenAddress(a tollgate.Address) string {
	var parts []string
	for _, p := range []string{a.Street, a.City, a.State, a.PostalCode, a.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return screenDash(strings.Join(parts, ", "))
}

// printListRefs writes one line per list screened against.
func printListRefs(b *strings.Builder, refs []screenListRef) {
	for _, r := range refs {
		from := r.Path
		if from == "" {
			from = "version " + r.Version
		}
		fmt.Fprintf(b, "list %-8s %s  %s entities  sha256:%s", r.Source, from, thousands(r.Entities), rescreenDigest(r.Digest))
		if r.Problems > 0 {
			fmt.Fprintf(b, "  (%s malformed records skipped)", thousands(r.Problems))
		}
		b.WriteString("\n")
	}
}
