package main

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate/screen/lists"
)

// listsCmd holds what the lists commands need beyond the cli: the table of
// official sources and the HTTP client, both replaced by tests.
type listsCmd struct {
	c       *cli
	sources []listSource
	// client, when set, is used instead of one built from --timeout.
	client *http.Client
}

func newListsCmd(c *cli) *cobra.Command {
	return (&listsCmd{c: c, sources: officialListSources}).command()
}

func (lc *listsCmd) command() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lists",
		Short: "Download and inspect the restricted-party lists",
		Long: `The lists commands fetch the official restricted-party lists (the trade.gov
Consolidated Screening List, OFAC's SDN list and the UN Security Council
consolidated list), show what a list file holds as tollgate reads it, and
keep imported list versions in the store.`,
		Example: `  tollgate lists update
  tollgate lists inspect ../shared/data/lists/csl/consolidated-2022-04.csv.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(lc.updateCommand(), lc.inspectCommand())
	addListsStoreCmds(lc.c, cmd) // import and versions, backed by the store (listsdb.go)
	return cmd
}

func (lc *listsCmd) inspectCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect PATH...",
		Short: "Parse list files and show their format, digest, counts and problems",
		Long: `inspect parses each list file (or OFAC directory) the way screening loads it,
detecting the format from the content: a CSL CSV (plain or .gz), OFAC's legacy
sdn.csv (with add.csv, alt.csv and sdn_comments.csv beside it), the UN XML, the
BIS Denied Persons List text, or an internal-list CSV. It prints the format,
the SHA-256 digest, the publication date when known, the entities per list
and the malformed rows (the first 10 with their line numbers, and the total).
A file that cannot be read is reported and the others are still shown; the
exit status is then 1.`,
		Example: `  tollgate lists inspect ../shared/data/lists/csl/consolidated-2022-04.csv.gz
  tollgate lists inspect ../shared/data/lists/ofac/2021-07 ../shared/data/lists/un/*.xml
  tollgate lists inspect --json internal.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return lc.runInspect(args, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array, one object per path")
	return cmd
}

// maxShownProblems is how many problems inspect lists per file.
const maxShownProblems = 10

// listSummary is what inspect prints about one file.
type listSummary struct {
	Path      string          `json:"path"`
	Format    lists.Format    `json:"format"`
	Source    string          `json:"source"`
	Digest    string          `json:"digest"`
	Published string          `json:"published,omitempty"`
	Entities  int             `json:"entities"`
	Counts    map[string]int  `json:"counts"`
	Problems  int             `json:"problems"`
	First     []lists.Problem `json:"first_problems,omitempty"`
	// Uncited counts an internal list's entries that cite no source.
	Uncited int `json:"uncited,omitempty"`
}

// uncitedNote says that n of an internal list's entries cite no source.
func uncitedNote(n, entities int) string {
	if n == entities {
		return "an internal list: no entry cites its source (add a citation column, e.g. the Federal Register notice)"
	}
	return fmt.Sprintf("an internal list: %s of %s entries cite no source", thousands(n), thousands(entities))
}

func summarize(res *lists.Result) listSummary {
	s := listSummary{
		Path: res.Path, Format: res.Format, Source: res.Source, Digest: res.Digest,
		Entities: len(res.Entities), Counts: res.Counts(), Problems: len(res.Problems),
		First:   res.Problems[:min(len(res.Problems), maxShownProblems)],
		Uncited: res.Uncited(),
	}
	if !res.Published.IsZero() {
		s.Published = res.Published.UTC().Format(time.DateOnly)
	}
	return s
}

func (lc *listsCmd) runInspect(paths []string, asJSON bool) error {
	var summaries []listSummary
	failed := 0
	for _, p := range paths {
		res, err := lists.Load(p)
		if err != nil {
			failed++
			fmt.Fprintf(lc.c.stderr, "tollgate: lists inspect: %s\n", oneLine(errorLine(err)))
			continue
		}
		s := summarize(res)
		if asJSON {
			summaries = append(summaries, s)
			continue
		}
		if err := printListSummary(lc.c.stdout, s); err != nil {
			return err
		}
	}
	if asJSON {
		if summaries == nil {
			summaries = []listSummary{}
		}
		if err := writeJSON(lc.c.stdout, summaries); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("lists inspect: %d of %d paths could not be read", failed, len(paths))
	}
	return nil
}

func printListSummary(w io.Writer, s listSummary) error {
	published := s.Published
	if published == "" {
		published = "unknown"
	}
	fmt.Fprintf(w, "%s\n", s.Path)
	fmt.Fprintf(w, "  format     %s — %s\n", s.Format, s.Source)
	fmt.Fprintf(w, "  digest     sha256:%s\n", s.Digest)
	fmt.Fprintf(w, "  published  %s\n", published)
	fmt.Fprintf(w, "  entities   %s\n", thousands(s.Entities))
	fmt.Fprintf(w, "  lists      %s\n", formatCounts(s.Counts))
	if s.Uncited > 0 {
		fmt.Fprintf(w, "  citations  %s\n", uncitedNote(s.Uncited, s.Entities))
	}
	fmt.Fprintf(w, "  problems   %s\n", thousands(s.Problems))
	for _, p := range s.First {
		fmt.Fprintf(w, "    line %d: %s\n", p.Line, p.Message)
	}
	if more := s.Problems - len(s.First); more > 0 {
		fmt.Fprintf(w, "    … and %s more\n", thousands(more))
	}
	_, err := fmt.Fprintln(w)
	return err
}

// formatCounts renders per-list counts largest first: "SDN 10,026, EL 2,001".
func formatCounts(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	codes := make([]string, 0, len(counts))
	for code := range counts {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(codes))
	for i, code := range codes {
		parts[i] = code + " " + thousands(counts[code])
	}
	return strings.Join(parts, ", ")
}

// thousands writes n with comma separators: 14160 → "14,160".
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// oneLine folds an error message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
