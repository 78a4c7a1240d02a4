package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/screen"
)

// screenCompareFlags are the options of "tollgate screen compare".
type screenCompareFlags struct {
	lists     []string
	typ       string
	threshold float64
	json      bool
	explain   bool
	in        string
	out       string
}

func newScreenCompareCmd(c *cli) *cobra.Command {
	var f screenCompareFlags
	cmd := &cobra.Command{
		Use:   "compare NAME1 NAME2 | --in pairs.csv",
		Short: "Score how likely two names name the same party",
		Long: `compare scores two names with the screening engine's name comparison, in
[0,1], and says whether they match (score at or above --threshold). --type
selects person-name rules (initials, given-name order) or organization rules
(legal forms). --explain shows the names as the engine normalized them and how
their tokens aligned. Token weights are built in; with --list they are learned
from those lists, as screening does.

With --in pairs.csv (a header naming name1 and name2, optionally schema:
Person, Company, Organization, LegalEntity, Vessel…, which overrides --type
for its row), compare writes CSV name1,name2,score,match for every pair to
--out, else standard output. A bad row is reported on standard error with its
line number and skipped.`,
		Example: `  tollgate screen compare "Xi Jinping" "Hsi Chin-ping" --type person
  tollgate screen compare 华为技术有限公司 "Huawei Technologies Co., Ltd." --explain
  tollgate screen compare --in ../shared/data/eval/namebench-dev.csv --out scores.csv`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runScreenCompare(cmd.Context(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.lists, "list", nil, "learn token weights from this list file (repeatable; default: built-in weights)")
	fl.StringVar(&f.typ, "type", "", "the kind of party both names are for: person, org (organization), vessel or aircraft")
	fl.Float64Var(&f.threshold, "threshold", screen.DefaultThreshold, "a pair matches when its score is at or above this, in [0,1]")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.BoolVar(&f.explain, "explain", false, "explain the score: normalized names, token alignment and weights")
	fl.StringVar(&f.in, "in", "", `score every pair of this CSV file ("-": standard input)`)
	fl.StringVar(&f.out, "out", "", "with --in: write the CSV to this file (default: standard output)")
	return cmd
}

// screenScorer scores two names of the given type.
type screenScorer func(name1, name2 string, typ tollgate.EntityType) (float64, screen.Explanation)

// screenCompareReport is the --json output of comparing two names.
type screenCompareReport struct {
	Name1       string              `json:"name1"`
	Name2       string              `json:"name2"`
	Type        string              `json:"type,omitempty"`
	Score       float64             `json:"score"`
	Threshold   float64             `json:"threshold"`
	Match       bool                `json:"match"`
	Explanation *screen.Explanation `json:"explanation,omitempty"`
}

func (c *cli) runScreenCompare(ctx context.Context, args []string, f screenCompareFlags) error {
	if err := screenThreshold(f.threshold); err != nil {
		return err
	}
	typ, err := screen.ParseType(f.typ)
	if err != nil {
		return usageErrorf("--type: %q is not person, org (organization), vessel or aircraft", f.typ)
	}
	if f.in != "" {
		switch {
		case len(args) > 0:
			return usageErrorf("--in: give either NAME1 NAME2 or --in pairs.csv, not both")
		case f.json || f.explain:
			return usageErrorf("--json and --explain: apply to one pair, not to --in (which writes CSV)")
		}
	} else {
		switch {
		case f.out != "":
			return usageErrorf("--out: applies to --in pairs.csv only")
		case len(args) != 2:
			return usageErrorf("compare takes two names, NAME1 and NAME2 (quote names with spaces); got %d", len(args))
		case strings.TrimSpace(args[0]) == "" || strings.TrimSpace(args[1]) == "":
			return usageErrorf("NAME1, NAME2: must not be empty")
		}
	}
	score := screenScorer(screen.Compare)
	if len(f.lists) > 0 {
		set, err := loadListFiles(f.lists, screenConfig(f.threshold))
		if err != nil {
			return err
		}
		score = set.index.Compare
	}
	if f.in != "" {
		return c.runScreenComparePairs(ctx, f, typ, score)
	}
	s, x := score(args[0], args[1], typ)
	rep := screenCompareReport{Name1: args[0], Name2: args[1], Type: string(typ), Score: screenRound(s), Threshold: f.threshold, Match: s >= f.threshold}
	if f.explain {
		rep.Explanation = &x
	}
	if f.json {
		return writeJSON(c.stdout, rep)
	}
	verdict := "no match"
	if rep.Match {
		verdict = "match"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "score %.4f: %s (threshold %.2f)\n", rep.Score, verdict, rep.Threshold)
	if rep.Explanation != nil {
		printExplanation(&b, rep.Explanation, [2]string{"name1", "name2"}, "  ")
	}
	_, err = io.WriteString(c.stdout, b.String())
	return err
}

// screenPairStats counts what a compare --in run did.
type screenPairStats struct {
	Rows, Scored, Skipped, Matches int
}

func (c *cli) runScreenComparePairs(ctx context.Context, f screenCompareFlags, typ tollgate.EntityType, score screenScorer) error {
	in, label, _, err := c.openScreenInput(f.in)
	if err != nil {
		return err
	}
	defer in.Close()
	tab, err := openScreenTable(in, label, []string{"name1", "name2", "schema"}, []string{"name1", "name2"})
	if err != nil {
		return err
	}
	out, err := createScreenOutput(c.stdout, f.out)
	if err != nil {
		return err
	}
	defer out.discard()
	problem := func(line int, msg string) {
		fmt.Fprintf(c.stderr, "tollgate: screen compare: %s:%d: %s; row skipped\n", label, line, msg)
	}
	st, err := screenComparePairs(ctx, tab, out.w, score, typ, f.threshold, problem)
	if err != nil {
		return fmt.Errorf("screen compare --in %s: %w", label, err)
	}
	if err := out.commit(); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "tollgate: screen compare: %s rows, %s scored, %s skipped, %s matches at or above %.2f\n",
		thousands(st.Rows), thousands(st.Scored), thousands(st.Skipped), thousands(st.Matches), f.threshold)
	return nil
}

// screenComparePairs scores every pair of tab and writes CSV name1,name2,score,
// match to w. typ applies to rows without a schema.
func screenComparePairs(ctx context.Context, tab *screenTable, w io.Writer, score screenScorer, typ tollgate.EntityType, threshold float64, problem func(int, string)) (screenPairStats, error) {
	var st screenPairStats
	cw := csv.NewWriter(w)
	cw.Write([]string{"name1", "name2", "score", "match"})
	for {
		if st.Rows%1024 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		rec, err := tab.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
		st.Rows++
		n1, n2 := tab.get(rec, "name1"), tab.get(rec, "name2")
		rowTyp, err := screen.ParseType(tab.get(rec, "schema"))
		switch {
		case rec.bad != "":
			err = errors.New(rec.bad)
		case strings.TrimSpace(n1) == "" || strings.TrimSpace(n2) == "":
			err = errors.New("name1 and name2 are required")
		case err != nil:
			err = fmt.Errorf("schema: %q is not a known entity type", tab.get(rec, "schema"))
		}
		if err != nil {
			st.Skipped++
			problem(rec.line, err.Error())
			continue
		}
		if rowTyp == tollgate.EntityUnknown {
			rowTyp = typ
		}
		s, _ := score(n1, n2, rowTyp)
		match := s >= threshold
		st.Scored++
		if match {
			st.Matches++
		}
		cw.Write([]string{n1, n2, strconv.FormatFloat(screenRound(s), 'f', 4, 64), strconv.FormatBool(match)})
	}
	cw.Flush()
	return st, cw.Error()
}

// printExplanation writes how a score came about: the two names as the
// engine saw them (labelled by names, e.g. "query" and "listed"), the
// evidence, and the token alignment.
func printExplanation(b *strings.Builder, x *screen.Explanation, names [2]string, indent string) {
	tw := newTable(b, 0, 0, 2)
	fmt.Fprintf(tw, "%s%s\t%s\n%s%s\t%s\n", indent, names[0], x.Query, indent, names[1], x.Listed)
	tw.Flush()
	fmt.Fprintf(b, "%sname score %.3f, type %+.3f, country %+.3f\n", indent, x.NameScore, x.TypeAdjust, x.CountryAdjust)
	tw = newTable(b, 0, 0, 2)
	fmt.Fprintf(tw, "%s%s TOKEN\t%s TOKEN\tSIMILARITY\tWEIGHT\tHOW\n", indent, strings.ToUpper(names[0]), strings.ToUpper(names[1]))
	for _, t := range x.Tokens {
		fmt.Fprintf(tw, "%s%s\t%s\t%.3f\t%.3f\t%s\n", indent, screenDash(t.Query), screenDash(t.Listed), t.Similarity, t.Weight, t.How)
	}
	tw.Flush()
}

// screenClip shortens s to at most n runes, marking the cut with "…".
func screenClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func screenDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func screenPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// screenTable reads a CSV file whose first row is a header: columns are found
// by name (case-insensitive, in any order; a leading byte order mark is
// tolerated) and every row carries its line number.
type screenTable struct {
	r       *csv.Reader
	cols    map[string]int
	width   int
	ignored []string // header columns that are not read, quoted
}

// screenRow is one data row; bad, when set, says why it is malformed.
type screenRow struct {
	line   int
	fields []string
	bad    string
}

// openScreenTable reads the header of r. The known columns are read; a
// missing required column, a repeated known column or a missing header is a
// usage error naming --in.
func openScreenTable(r io.Reader, label string, known, required []string) (*screenTable, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.LazyQuotes = true
	header, err := cr.Read()
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return nil, usageErrorf("--in: %s is empty; a header row naming the columns (%s) is required", label, strings.Join(known, ", "))
	case errors.As(err, &pe):
		return nil, usageErrorf("--in: %s: line %d: the header is not valid CSV: %v", label, pe.StartLine, pe.Err)
	case err != nil:
		return nil, fmt.Errorf("--in %s: %w", label, err)
	}
	t := &screenTable{r: cr, cols: make(map[string]int, len(known)), width: len(header)}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(known, h) {
			t.ignored = append(t.ignored, strconv.Quote(h))
			continue
		}
		if _, dup := t.cols[h]; dup {
			return nil, usageErrorf("--in: %s: the header names column %q twice", label, h)
		}
		t.cols[h] = i
	}
	for _, col := range required {
		if _, ok := t.cols[col]; !ok {
			return nil, usageErrorf("--in: %s: the header has no %q column (it needs %s; reads %s)", label, col,
				strings.Join(required, ", "), strings.Join(known, ", "))
		}
	}
	return t, nil
}

// next returns the next row, a row with bad set for a malformed one, or
// io.EOF after the last.
func (t *screenTable) next() (screenRow, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return screenRow{}, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return screenRow{line: pe.StartLine, bad: fmt.Sprintf("%d columns, but the header has %d", len(rec), t.width)}, nil
		}
		return screenRow{line: pe.StartLine, bad: "not valid CSV: " + pe.Err.Error()}, nil
	}
	if err != nil {
		return screenRow{}, err
	}
	line, _ := t.r.FieldPos(0)
	return screenRow{line: line, fields: rec}, nil
}

// get returns a row's value in the named column, "" when the table has no
// such column.
func (t *screenTable) get(row screenRow, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(row.fields) {
		return ""
	}
	return row.fields[i]
}
