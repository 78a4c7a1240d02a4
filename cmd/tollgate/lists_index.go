package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"tollgate/screening"
)

// listsIndexReport is what `lists index` reports.
type listsIndexReport struct {
	Path         string   `json:"path"`
	Bytes        int64    `json:"bytes"`
	Entities     int      `json:"entities"`
	Names        int      `json:"names"`
	Versions     []string `json:"list_versions"`
	BuildSeconds float64  `json:"build_seconds"`
	SaveSeconds  float64  `json:"save_seconds"`
}

func newListsIndexCmd(c *cli) *cobra.Command {
	var (
		dsn, out string
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "index --out PATH",
		Short: "Save the screening index of the current list versions to a file",
		Long: `index builds the screening index over the store's current list versions, as
serve does at start, and writes it to PATH, so that "tollgate serve --index
PATH" starts without building it. The file is tied to the list files (their
sources and digests) and to this version of tollgate's engine: serve refuses
it, with a warning, once a list has a new version or tollgate was upgraded,
and builds the index itself. Run index again after each import.`,
		Example: `  tollgate lists index --out /var/lib/tollgate/screen.index
  tollgate serve --index /var/lib/tollgate/screen.index`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("--out: name the file to write")
			}
			rep, err := c.saveIndex(cmd.Context(), dsn, out)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, rep)
			}
			_, err = fmt.Fprintf(c.stdout, "wrote %s: %d entities, %d names, %.1f MB (built in %.1f s, saved in %.1f s)\n",
				rep.Path, rep.Entities, rep.Names, float64(rep.Bytes)/(1<<20), rep.BuildSeconds, rep.SaveSeconds)
			return err
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&out, "out", "", "file to write the index to (replaced whole, never left half written)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON report")
	return cmd
}

// saveIndex builds the index of the store's current versions and writes it
// to path through a temporary file in the same directory.
func (c *cli) saveIndex(ctx context.Context, dsn, path string) (*listsIndexReport, error) {
	db, err := c.openStore(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	svc := screening.New(db, slog.New(slog.DiscardHandler), screening.DefaultConfig())
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("lists index: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	start := time.Now()
	sn, err := svc.Current(ctx)
	if err != nil {
		tmp.Close()
		return nil, err
	}
	saveStart := time.Now()
	if _, err := svc.SaveIndex(ctx, tmp); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("lists index: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("lists index: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("lists index: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("lists index: %w", err)
	}
	return &listsIndexReport{
		Path: path, Bytes: fi.Size(), Entities: sn.Index.Len(), Names: sn.Index.Names(),
		Versions: sn.VersionIDs(), BuildSeconds: saveStart.Sub(start).Seconds(), SaveSeconds: time.Since(saveStart).Seconds(),
	}, nil
}

// loadSavedIndex makes svc start from the index saved at path. A file that
// is missing, unreadable or does not match the current lists and engine is
// not used: it logs a warning and the index is built as usual.
func loadSavedIndex(ctx context.Context, svc *screening.Service, path string, log *slog.Logger) {
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		_, err = svc.LoadIndex(ctx, f)
	}
	if err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "saved screening index not used; building the index",
			slog.String("path", path), slog.String("reason", err.Error()))
	}
}
