package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/store"
)

// backupResult is what tollgate backup --json prints.
type backupResult struct {
	Store string `json:"store"`
	Out   string `json:"out"`
	Bytes int64  `json:"bytes"`
}

func newBackupCmd(c *cli) *cobra.Command {
	var (
		db, out string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Copy the SQLite store to a backup file while it keeps serving",
		Long: `backup writes a consistent, compacted copy of a SQLite store to --out with
SQLite's VACUUM INTO: one read snapshot, taken while tollgate serve keeps
reading and writing. The file is a SQLite store itself; bring it back with
tollgate restore. --out must not exist.

PostgreSQL stores are backed up with PostgreSQL's own tools; for one, backup
prints the practice to follow and exits with status 1.`,
		Example: `  tollgate backup --out /backups/tollgate-$(date +%F).db
  tollgate backup --db sqlite:/var/lib/tollgate/tollgate.db --out /backups/t.db --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("--out: give the backup file to write")
			}
			if _, err := os.Lstat(out); err == nil {
				return usageErrorf("--out: %s already exists; choose a new file", out)
			}
			dsn, _, err := c.storeDSN(db)
			if err != nil {
				return err
			}
			if isPostgresDSN(dsn) {
				io.WriteString(c.stderr, store.PostgresBackupPractice+"\n")
				return tollgate.Errorf(tollgate.EPRECONDITION, "tollgate backup copies SQLite stores only; back up PostgreSQL with pg_dump as shown above")
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Backup(cmd.Context(), out); err != nil {
				var te *tollgate.Error
				if errors.As(err, &te) && te.Code == tollgate.EINVALID && te.Field == "out" {
					return usageErrorf("--out: %s", te.Message)
				}
				return err
			}
			fi, err := os.Stat(out)
			if err != nil {
				return err
			}
			res := backupResult{Store: strings.TrimPrefix(dsn, "sqlite:"), Out: out, Bytes: fi.Size()}
			if asJSON {
				return writeJSON(c.stdout, res)
			}
			fmt.Fprintf(c.stdout, "backed up %s to %s (%d bytes)\n", res.Store, res.Out, res.Bytes)
			return nil
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&out, "out", "", "backup file to write (must not exist)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newRestoreCmd(c *cli) *cobra.Command {
	var (
		db            string
		force, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the SQLite store with a backup",
		Long: `restore replaces the SQLite store named by --db with a copy of FILE, a backup
written by tollgate backup. It first checks that FILE is an intact SQLite
database holding a tollgate store whose migrations this tollgate knows, and
that no process has the store open: stop tollgate serve first. A store that
holds data is replaced only with --force. Migrations newer than the backup
are applied; FILE itself is not changed.

After a restore, verify the audit log against a checkpoint kept from before
(tollgate audit export, then tollgate audit verify --checkpoint).

PostgreSQL stores are restored with pg_restore; restore refuses them.`,
		Example: `  tollgate restore /backups/tollgate-2026-02-01.db
  tollgate restore /backups/t.db --db sqlite:/var/lib/tollgate/tollgate.db --force`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dsn, from, err := c.storeDSN(db)
			if err != nil {
				return err
			}
			if isPostgresDSN(dsn) {
				io.WriteString(c.stderr, store.PostgresBackupPractice+"\n")
				return tollgate.Errorf(tollgate.EPRECONDITION, "tollgate restore writes SQLite stores only; restore PostgreSQL with pg_restore as shown above")
			}
			rep, err := store.Restore(cmd.Context(), args[0], dsn, store.RestoreOptions{Force: force, Now: c.now})
			var te *tollgate.Error
			if errors.As(err, &te) && te.Code == tollgate.EINVALID && te.Field == "db" {
				return usageErrorf("%s: %s", from, te.Message)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, rep)
			}
			fmt.Fprintf(c.stdout, "restored %s into %s\n", args[0], rep.Path)
			if rep.Replaced {
				fmt.Fprintln(c.stdout, "  the store's previous data was replaced (--force)")
			}
			if len(rep.Backup) > 0 {
				fmt.Fprintf(c.stdout, "  backup schema: %s\n", rep.Backup[len(rep.Backup)-1])
			}
			if len(rep.Applied) > 0 {
				fmt.Fprintf(c.stdout, "  migrations applied: %s\n", strings.Join(rep.Applied, ", "))
			}
			return nil
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&force, "force", false, "replace a store that holds data")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// isPostgresDSN reports whether dsn names a PostgreSQL store.
func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
