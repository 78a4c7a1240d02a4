package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/screen/lists"
	"tollgate/screening"
	"tollgate/store"
)

// addListsStoreCmds adds the subcommands that keep list versions in the
// store, `import` and `versions`, and `index`, which saves the screening
// index of the current versions (lists_index.go), to the lists command.
func addListsStoreCmds(c *cli, listsCmd *cobra.Command) {
	listsCmd.AddCommand(newListsImportCmd(c), newListsVersionsCmd(c), newListsIndexCmd(c))
}

// maxImportProblemsShown is how many malformed rows import lists per file.
const maxImportProblemsShown = 10

// listImportReport is what `lists import` reports about one path.
type listImportReport struct {
	Path     string                `json:"path"`
	Version  *tollgate.ListVersion `json:"version,omitempty"`
	Created  bool                  `json:"created"`
	Problems []lists.Problem       `json:"problems,omitempty"`
	// Warning flags an import that made an older publication current, as
	// --allow-older allowed.
	Warning string `json:"warning,omitempty"`
	Error   string `json:"error,omitempty"`
}

func newListsImportCmd(c *cli) *cobra.Command {
	var (
		dsn    string
		asJSON bool
		older  olderImport
	)
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Store list files as new list versions",
		Long: `import parses each list file (or OFAC directory) the way ` + "`lists inspect`" + ` does and
stores it in the store as a new version of its source (csl, ofac, un, dpl, or
internal for a user's own CSV list): the file's SHA-256 digest, its publication
date when known, the entities per list, the malformed rows, the import time,
and every entity. The newest imported version of each source is the current
one, which screening uses when no --list is given.

Lists move only forward: a file published before the current version of its
source (or stating no date when the current one does) is refused, naming
both dates, and nothing is stored. To make an older file current on purpose
(rolling back a bad list), give --allow-older with --reason; the audit log
records the reason and the version it replaced.

Importing a file whose digest is already stored changes nothing and says so.
A file that cannot be read is reported and the others are still imported; the
exit status is then 1.`,
		Example: `  tollgate lists import ../shared/data/lists/csl/consolidated-2022-04.csv.gz
  tollgate lists import ../shared/data/lists/ofac/2024-05-03 ../shared/data/lists/un/*.xml
  tollgate lists import --db postgres://tollgate@db.internal/tollgate --json internal.csv
  tollgate lists import --allow-older --reason "2024-05-03 file truncated" ../shared/data/lists/ofac/2021-07`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case older.allow && strings.TrimSpace(older.reason) == "":
				return usageErrorf("--allow-older requires --reason: say why an older list should become current")
			case !older.allow && older.reason != "":
				return usageErrorf("--reason is given only with --allow-older")
			}
			db, err := c.openStore(dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			reports := make([]listImportReport, 0, len(args))
			failed := 0
			for _, path := range args {
				rep := importListFile(cmd.Context(), db, path, older)
				if rep.Error != "" {
					failed++
				}
				reports = append(reports, rep)
				if !asJSON {
					printListImport(c.stdout, &rep)
				}
			}
			if asJSON {
				if err := writeJSON(c.stdout, reports); err != nil {
					return err
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d list files could not be imported", failed, len(args))
			}
			return nil
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array, one object per path")
	cmd.Flags().BoolVar(&older.allow, "allow-older", false, "let a file published before the current version become current (requires --reason)")
	cmd.Flags().StringVar(&older.reason, "reason", "", "why an older file should become current (recorded in the audit log)")
	return cmd
}

// olderImport is the operator's leave to make an older list current.
type olderImport struct {
	allow  bool
	reason string
}

// importListFile parses and stores one list file; failures are reported in
// the result rather than returned, so one bad file does not stop the rest.
func importListFile(ctx context.Context, db *store.DB, path string, older olderImport) listImportReport {
	rep := listImportReport{Path: path}
	res, err := lists.Load(path)
	if err != nil {
		rep.Error = tollgate.ErrorMessage(err)
		if tollgate.ErrorCode(err) == tollgate.EINTERNAL {
			rep.Error = err.Error() // a file system error: the path and cause help
		}
		return rep
	}
	rep.Problems = res.Problems
	li := screening.ListImport(res, path)
	li.AllowOlder, li.Reason = older.allow, older.reason
	prev, err := currentVersionOf(ctx, db, li.Source)
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	v, created, err := db.ImportListVersion(ctx, li)
	if err != nil {
		rep.Error = tollgate.ErrorMessage(err)
		if tollgate.ErrorCode(err) == tollgate.EINTERNAL {
			rep.Error = err.Error()
		}
		return rep
	}
	rep.Version, rep.Created = v, created
	if created && li.OlderThan(prev) {
		rep.Warning = fmt.Sprintf("%s, older than the %s version it replaces as current (published %s), as allowed: %s",
			publishedOrUndated(v.Published), v.Source, prev.Published.Format(time.DateOnly), strings.TrimSpace(li.Reason))
	}
	return rep
}

func publishedOrUndated(t time.Time) string {
	if t.IsZero() {
		return "no publication date"
	}
	return "published " + t.Format(time.DateOnly)
}

// currentVersionOf returns the current version of source, or nil.
func currentVersionOf(ctx context.Context, db *store.DB, source string) (*tollgate.ListVersion, error) {
	vs, err := db.CurrentListVersions(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.Source == source {
			return v, nil
		}
	}
	return nil, nil
}

func printListImport(w io.Writer, rep *listImportReport) {
	if rep.Error != "" {
		fmt.Fprintf(w, "%s: error: %s\n", rep.Path, rep.Error)
		return
	}
	v := rep.Version
	if rep.Created {
		fmt.Fprintf(w, "%s: imported %s version %s\n", rep.Path, v.Source, v.ID)
	} else {
		fmt.Fprintf(w, "%s: already imported as %s version %s on %s; nothing changed\n",
			rep.Path, v.Source, v.ID, v.ImportedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "  format     %s\n  digest     %s\n", v.Format, v.Digest)
	if !v.Published.IsZero() {
		fmt.Fprintf(w, "  published  %s\n", v.Published.Format(time.DateOnly))
	}
	fmt.Fprintf(w, "  entities   %s (%s)\n  problems   %s\n", thousands(v.EntityCount), formatCounts(v.Counts), thousands(v.ProblemCount))
	if rep.Warning != "" {
		fmt.Fprintf(w, "  warning    %s\n", rep.Warning)
	}
	for i, p := range rep.Problems {
		if i == maxImportProblemsShown {
			fmt.Fprintf(w, "    … and %d more\n", len(rep.Problems)-i)
			break
		}
		fmt.Fprintf(w, "    line %d: %s\n", p.Line, p.Message)
	}
}

func newListsVersionsCmd(c *cli) *cobra.Command {
	var (
		dsn, source     string
		current, asJSON bool
		limit           int
	)
	cmd := &cobra.Command{
		Use:   "versions",
		Short: "Show the list versions in the store, newest first",
		Long: `versions shows the list versions imported into the store, newest first: the
source, when it was imported and published, its entities and malformed rows,
and the file digest. A * marks the current version of each source, the one
screening uses.`,
		Example: `  tollgate lists versions
  tollgate lists versions --current
  tollgate lists versions --source csl --limit 5 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit: must not be negative; got %d", limit)
			}
			db, err := c.openStore(dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			vs, err := findVersions(cmd.Context(), db, source, current, limit)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, nonNilVersions(vs))
			}
			return printVersions(c.stdout, vs)
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&source, "source", "", "show only this source (csl, ofac, un, dpl, internal)")
	cmd.Flags().BoolVar(&current, "current", false, "show only the current version of each source")
	cmd.Flags().IntVar(&limit, "limit", 0, "show at most this many versions (0: all)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of versions")
	return cmd
}

// findVersions reads versions page by page, up to limit (0: all).
func findVersions(ctx context.Context, db *store.DB, source string, current bool, limit int) ([]*tollgate.ListVersion, error) {
	if current {
		vs, err := db.CurrentListVersions(ctx)
		vs = slices.DeleteFunc(vs, func(v *tollgate.ListVersion) bool { return source != "" && v.Source != source })
		if limit > 0 && len(vs) > limit {
			vs = vs[:limit]
		}
		return vs, err
	}
	var out []*tollgate.ListVersion
	cursor := ""
	for {
		pageSize := tollgate.MaxPageLimit
		if limit > 0 {
			pageSize = min(pageSize, limit-len(out))
		}
		vs, next, err := db.FindListVersions(ctx, tollgate.ListVersionFilter{Source: source, Cursor: cursor, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
		if next == "" || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		cursor = next
	}
}

func nonNilVersions(vs []*tollgate.ListVersion) []*tollgate.ListVersion {
	if vs == nil {
		return []*tollgate.ListVersion{}
	}
	return vs
}

func printVersions(w io.Writer, vs []*tollgate.ListVersion) error {
	if len(vs) == 0 {
		_, err := fmt.Fprintln(w, "no list versions in the store; add one with `tollgate lists import PATH`")
		return err
	}
	tw := newTable(w, 0, 0, 2)
	fmt.Fprintln(tw, "\tSOURCE\tIMPORTED\tPUBLISHED\tENTITIES\tPROBLEMS\tDIGEST\tID")
	for _, v := range vs {
		mark, published := "", "-"
		if v.Current {
			mark = "*"
		}
		if !v.Published.IsZero() {
			published = v.Published.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", mark, v.Source, v.ImportedAt.Format("2006-01-02 15:04Z"),
			published, v.EntityCount, v.ProblemCount, v.Digest[:12], v.ID)
	}
	return tw.Flush()
}
