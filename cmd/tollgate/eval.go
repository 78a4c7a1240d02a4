package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tollgate/screen"
	"tollgate/screen/screeneval"
)

// evalFlags are the options of "tollgate eval screen".
type evalFlags struct {
	data      string
	threshold float64
	json      bool
	errors    bool
}

func newEvalCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure tollgate's engines on labelled evaluation data",
		Example: `  tollgate eval screen
  tollgate eval screen --data ../shared/data --errors`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newEvalScreenCmd(c))
	return cmd
}

func newEvalScreenCmd(c *cli) *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "screen",
		Short: "Measure the screening engine's quality on the labelled sets",
		Long: `eval screen loads the lists under DIR/lists (the newest CSL, OFAC, UN and DPL
files) and measures the screening engine on every labelled file under DIR/eval:

  namebench-*.csv      name pairs scored with Compare: precision, recall, F1,
                       overall and on pairs with a non-ASCII name
  cross-script-*.csv   Chinese and Cyrillic queries against the CSL: expected
                       entities found, negatives without a hit
  un-positives-*.csv   listed individuals (some misspelled) against the UN
                       list: share whose best hit is the right individual
  negatives-*.csv      ordinary names against all lists: share with any hit
  evasion-*.csv        names written to slip past screening (bare brands,
                       look-alike letters, bidi overrides, invisible or
                       spaced letters, Chinese short names, formal Russian
                       names) and negatives against all lists: listed party
                       among the first three hits, negatives without a hit
  romanization-*.csv   name pairs in two romanization systems, scored with
                       Compare: pairs decided wrongly

Each figure is printed with its target and PASS or FAIL. The command fails
(exit 1) only when it cannot run; a missed target is a FAIL line, not an
error. DIR defaults to $TOLLGATE_TESTDATA, else ../shared/data.`,
		Example: `  tollgate eval screen
  tollgate eval screen --threshold 0.9
  tollgate eval screen --errors
  tollgate eval screen --data /srv/eval-data --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runEvalScreen(f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "data directory holding eval/ and lists/ (default $TOLLGATE_TESTDATA or ../shared/data)")
	fl.Float64Var(&f.threshold, "threshold", screen.DefaultThreshold, "score at or above which a pair matches or a candidate is a hit")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	fl.BoolVar(&f.errors, "errors", false, "list every wrongly decided pair, missed individual and false hit")
	return cmd
}

// testDataDir returns --data, else $TOLLGATE_TESTDATA, else ../shared/data.
func (c *cli) testDataDir(flag string) string {
	if flag != "" {
		return flag
	}
	if d := c.getenv("TOLLGATE_TESTDATA"); d != "" {
		return d
	}
	return filepath.Join("..", "shared", "data")
}

func (c *cli) runEvalScreen(f evalFlags) error {
	if f.threshold <= 0 || f.threshold > 1 {
		return usageErrorf("--threshold: %v is not in (0, 1]", f.threshold)
	}
	dir := c.testDataDir(f.data)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageErrorf("--data: %s is not a directory (set --data or TOLLGATE_TESTDATA)", dir)
	}
	cfg := screen.DefaultConfig()
	cfg.Threshold = f.threshold
	rep, err := screeneval.Run(screeneval.Options{DataDir: dir, Config: cfg, Errors: f.errors})
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(c.stdout, rep)
	}
	return printEvalReport(c.stdout, rep, f.errors)
}

// printEvalReport writes the report as text.
func printEvalReport(w io.Writer, rep *screeneval.Report, errors bool) error {
	fmt.Fprintf(w, "threshold %.3f\n", rep.Threshold)
	for _, l := range rep.Lists {
		fmt.Fprintf(w, "list %-6s %6d entities  %s\n", l.Format, l.Entities, l.Path)
	}
	for _, nb := range rep.NameBench {
		fmt.Fprintf(w, "\n%s (%d pairs)\n", nb.File, nb.All.Pairs)
		printConfusion(w, "all", nb.All)
		printConfusion(w, "non-ASCII", nb.NonASCII)
		if errors {
			for _, e := range nb.Errors {
				fmt.Fprintf(w, "  want %-5v score %.3f  %s | %s | %s\n", e.Want, e.Score, e.Schema, e.Name1, e.Name2)
			}
		}
	}
	for _, cs := range rep.CrossScript {
		fmt.Fprintf(w, "\n%s: expected found %d/%d (rank 1: %d), negatives with a hit %d/%d\n",
			cs.File, cs.Found, cs.Expected, cs.FoundRank1, cs.NegativesHit, cs.Negatives)
		for _, r := range cs.Rows {
			if errors || !r.Pass {
				fmt.Fprintf(w, "  %-4s %s → %q rank %d; top %q %.3f\n", passWord(r.Pass), r.Query, r.Expect, r.Rank, r.TopName, r.TopScore)
			}
		}
	}
	for _, un := range rep.UN {
		fmt.Fprintf(w, "\n%s: rank-1 correct %d/%d = %.4f (%d rows, %d unresolved)\n",
			un.File, un.Correct, un.Resolved, un.Accuracy, un.Rows, un.Rows-un.Resolved)
		for _, e := range un.Errors {
			fmt.Fprintf(w, "  %s: want %v %q, got %s %q %.3f\n", e.Name, e.Want, e.WantName, e.Got, e.GotName, e.Score)
		}
	}
	for _, ng := range rep.Negatives {
		fmt.Fprintf(w, "\n%s: %d of %d names with a hit = %.5f\n", ng.File, ng.WithHit, ng.Names, ng.Rate)
		for _, e := range ng.Errors {
			fmt.Fprintf(w, "  %s (%s) → %s %s %q %.3f\n", e.Name, e.Country, e.List, e.ID, e.Matched, e.Score)
		}
	}
	for _, ev := range rep.Evasion {
		fmt.Fprintf(w, "\n%s: found in the top %d %d/%d, negatives with a hit %d/%d\n",
			ev.File, screeneval.EvasionTopN, ev.Found, ev.Expected, ev.NegativesHit, ev.Negatives)
		for _, r := range ev.Rows {
			if errors || !r.Pass {
				fmt.Fprintf(w, "  %-4s %-14s %q → %q rank %d; top %q %.3f\n", passWord(r.Pass), r.Kind, r.Query, r.Expect, r.Rank, r.TopName, r.TopScore)
			}
		}
	}
	for _, ro := range rep.Romanization {
		fmt.Fprintf(w, "\n%s (%d pairs)\n", ro.File, ro.All.Pairs)
		printConfusion(w, "all", ro.All)
		for _, e := range ro.Errors {
			fmt.Fprintf(w, "  want %-5v score %.3f  %s | %s\n", e.Want, e.Score, e.Name1, e.Name2)
		}
	}
	fmt.Fprintln(w, "\ntargets:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range rep.Targets {
		fmt.Fprintf(tw, "  %s\t%.4f\t%s\t%s\n", t.Name, t.Value, t.Goal, passWord(t.Pass))
	}
	return tw.Flush()
}

func printConfusion(w io.Writer, label string, c screeneval.Confusion) {
	fmt.Fprintf(w, "  %-9s pairs %3d  tp %3d fp %3d fn %3d tn %3d  precision %.3f recall %.3f F1 %.3f\n",
		label, c.Pairs, c.TP, c.FP, c.FN, c.TN, c.Precision, c.Recall, c.F1)
}

func passWord(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
