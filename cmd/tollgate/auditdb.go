package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/store"
)

// actingAsRule is the one rule for who the CLI acts as, for help texts.
const actingAsRule = `A command run on the store acts as cli:NAME in the audit log, where NAME is
--by when the command takes it, else $USER, else $USERNAME, else "unknown".
A command that records a person's judgement (parties decide) needs a NAME and
refuses "unknown".`

// actingAs returns the name the CLI acts as (see actingAsRule), "" when no
// name is known.
func (c *cli) actingAs() string {
	for _, name := range []string{c.by, c.getenv("USER"), c.getenv("USERNAME")} {
		if name = strings.TrimSpace(name); name != "" {
			return name
		}
	}
	return ""
}

// localPrincipal names the person running a local command in the audit
// records of the changes it makes: "cli:" and actingAs ("cli:unknown"
// when no name is known).
func (c *cli) localPrincipal() *tollgate.Principal {
	return tollgate.LocalPrincipal(c.actingAs())
}

// auditName returns the audit log's name: $TOLLGATE_AUDIT_NAME, else
// auditlog.DefaultOrigin.
func (c *cli) auditName() string {
	if n := c.getenv("TOLLGATE_AUDIT_NAME"); n != "" {
		return n
	}
	return auditlog.DefaultOrigin
}

// signingKey loads the audit log's signing key from the data directory,
// creating it on first use (and saying so on stderr).
func (c *cli) signingKey() (*auditlog.Key, string, error) {
	dir, err := c.dataDir()
	if err != nil {
		return nil, "", fmt.Errorf("data directory: %w", err)
	}
	key, created, err := auditlog.LoadOrCreateKey(dir, c.auditName())
	var ie *auditlog.InputError
	if errors.As(err, &ie) {
		return nil, "", usageErrorf("TOLLGATE_AUDIT_NAME: %s", ie.Message)
	}
	if err != nil {
		return nil, "", err
	}
	if created {
		fmt.Fprintf(c.stderr, "tollgate: created the audit signing key %s\n", filepath.Join(dir, auditlog.KeyFileName))
	}
	return key, dir, nil
}

// withAuditStore opens the store and the signing key and runs fn.
func (c *cli) withAuditStore(dsn string, fn func(ctx context.Context, db *store.DB, key *auditlog.Key, dir string) error) error {
	key, dir, err := c.signingKey()
	if err != nil {
		return err
	}
	db, err := c.openStore(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(c.cmdContext(), db, key, dir)
}

// cmdContext returns the command's context.
func (c *cli) cmdContext() context.Context {
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

func newAuditCheckpointCmd(c *cli) *cobra.Command {
	var dsn string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign a checkpoint of the audit log as it is now and print it",
		Long: `checkpoint signs a checkpoint (log name, tree size, root hash) of the whole
audit log with the key in the data directory, keeps it in the store and
prints the signed note. An auditor who keeps it can later check with "tollgate
audit verify --checkpoint" that the log only grew since. When the log has not
grown since the last checkpoint of this key, that checkpoint is printed again.
tollgate serve makes checkpoints periodically too.`,
		Example: `  tollgate audit checkpoint > checkpoint-2026-q1.note
  tollgate audit checkpoint --db postgres://tollgate@db/tollgate --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withAuditStore(dsn, func(ctx context.Context, db *store.DB, key *auditlog.Key, _ string) error {
				cp, err := db.AuditCheckpoint(ctx, key)
				if err != nil {
					return fmt.Errorf("audit checkpoint: %w", err)
				}
				if asJSON {
					return writeJSON(c.stdout, cp)
				}
				_, err = fmt.Fprint(c.stdout, cp.Note)
				return err
			})
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checkpoint, its note and key hash as JSON")
	return cmd
}

func newAuditExportCmd(c *cli) *cobra.Command {
	var dsn, out string
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Export the audit log as a bundle an auditor verifies offline",
		Long: `export signs a checkpoint of the whole audit log and writes a bundle into DIR
(created if needed; it must not hold a bundle already): records.jsonl, the
records exactly as logged, one per line; leafhashes.bin, their leaf hashes;
checkpoint.note, the signed checkpoint. Give the bundle and the public key
("tollgate audit key") to the auditor, who runs "tollgate audit verify".`,
		Example: `  tollgate audit export --out ./bundle-2026-03-31
  tollgate audit export --out /mnt/usb/bundle --db postgres://tollgate@db/tollgate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("--out is required: the directory to write the bundle into")
			}
			if err := checkBundleDir(out); err != nil {
				return err
			}
			return c.withAuditStore(dsn, func(ctx context.Context, db *store.DB, key *auditlog.Key, _ string) error {
				cp, err := db.AuditCheckpoint(ctx, key)
				if err != nil {
					return fmt.Errorf("audit export: %w", err)
				}
				n, err := auditlog.Export(ctx, out, []byte(cp.Note), db.AuditRecords(ctx, 0), db)
				if err == nil {
					err = auditlog.WriteBuild(out, buildInfo())
				}
				if err != nil {
					return fmt.Errorf("audit export: %w", err)
				}
				_, err = fmt.Fprintf(c.stdout, "exported %d records of log %s to %s\n  checkpoint: size %d, root hash %s, key %s\n",
					n, cp.Checkpoint.Origin, out, cp.Checkpoint.Size, cp.Checkpoint.Hash, key.VerifierKey())
				return err
			})
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the bundle into (required)")
	return cmd
}

// checkBundleDir rejects an --out that is a file or already holds a
// bundle's files, before anything is signed or read.
func checkBundleDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return usageErrorf("--out: %v", err)
	case !st.IsDir():
		return usageErrorf("--out: %s is not a directory", dir)
	}
	for _, name := range []string{auditlog.RecordsFile, auditlog.LeafHashesFile, auditlog.CheckpointFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return usageErrorf("--out: %s already holds a bundle (%s); choose a new directory", dir, name)
		}
	}
	return nil
}

func newAuditRotateKeyCmd(c *cli) *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Replace the checkpoint signing key, recording the rotation in the log",
		Long: `rotate-key signs a last checkpoint with the current key, replaces the key in
the data directory with a new one for the same log (the old key stays beside
it as audit-signing.key.HASH.retired), appends a record of the rotation that
names both public keys, and signs a checkpoint with the new key. It prints the
new public key: give it to auditors, who keep the old one to verify
checkpoints made before. A running tollgate serve picks up the new key by
itself.`,
		Example: `  tollgate audit rotate-key > tollgate-audit-2027.pub`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withAuditStore(dsn, func(ctx context.Context, db *store.DB, old *auditlog.Key, dir string) error {
				return runRotateKey(ctx, c, db, old, dir)
			})
		},
	}
	addDBFlag(cmd, &dsn)
	return cmd
}

func runRotateKey(ctx context.Context, c *cli, db *store.DB, old *auditlog.Key, dir string) error {
	if _, err := db.AuditCheckpoint(ctx, old); err != nil {
		return fmt.Errorf("audit rotate-key: last checkpoint with the old key: %w", err)
	}
	oldKey, newKey, err := auditlog.RotateKey(dir, nil)
	if err != nil {
		return fmt.Errorf("audit rotate-key: %w", err)
	}
	p := c.localPrincipal()
	rec := auditlog.RotationRecord(c.now(), auditlog.Actor{UserID: p.UserID}, oldKey, newKey)
	if _, err := db.AppendAudit(ctx, rec); err != nil {
		return fmt.Errorf("audit rotate-key: the key was rotated (new key %s) but its record could not be appended; "+
			"run rotate-key again to record a rotation: %w", newKey.VerifierKey(), err)
	}
	if _, err := db.AuditCheckpoint(ctx, newKey); err != nil {
		return fmt.Errorf("audit rotate-key: first checkpoint with the new key: %w", err)
	}
	fmt.Fprintf(c.stderr, "tollgate: rotated the audit signing key; the old key %s is retired\n", strings.TrimSpace(oldKey.VerifierKey()))
	_, err = fmt.Fprintln(c.stdout, newKey.VerifierKey())
	return err
}
