package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"tollgate/auditlog"
)

func newAuditCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Export, checkpoint and verify the tamper-evident audit log",
		Long: `Every change tollgate makes is a record of a tamper-evident audit log: the
records are leaves of an RFC 6962 Merkle tree, and signed checkpoints name the
tree's size and root hash. An auditor given an exported bundle and the log's
public key can check offline, without a database or network, that no record
was altered, removed, reordered or added.`,
		Example: `  tollgate audit key > tollgate-audit.pub
  tollgate audit export --out ./bundle
  tollgate audit verify ./bundle --key @tollgate-audit.pub
  tollgate audit checkpoint > checkpoint.note
  tollgate audit retention --as-of 2031-12-31
  tollgate audit reconcile`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAuditKeyCmd(c), newAuditVerifyCmd(c),
		newAuditCheckpointCmd(c), newAuditExportCmd(c), newAuditRetentionCmd(c), newAuditRotateKeyCmd(c),
		newAuditReconcileCmd(c))
	return cmd
}

// auditKeyInfo is what `audit key --json` prints.
type auditKeyInfo struct {
	Name        string `json:"name"`
	KeyHash     string `json:"key_hash"`
	VerifierKey string `json:"verifier_key"`
	Path        string `json:"path"`
	Created     bool   `json:"created"`
}

func newAuditKeyCmd(c *cli) *cobra.Command {
	var name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Print the public key that verifies the audit log's checkpoints",
		Long: `key prints the audit log's public key in note verifier form
(NAME+HASH+KEYDATA): give it to auditors, who pass it to "tollgate audit
verify --key". The private signing key is kept in the data directory
($TOLLGATE_DATA, else ~/.local/share/tollgate) as audit-signing.key, readable
by its owner only; it is created on first use for the log named by --name
($TOLLGATE_AUDIT_NAME, else "tollgate"). A log's name never changes.`,
		Example: `  tollgate audit key
  tollgate audit key --name audit.example.com > tollgate-audit.pub
  tollgate audit key --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			explicit := cmd.Flags().Changed("name")
			if env := c.getenv("TOLLGATE_AUDIT_NAME"); env != "" && !explicit {
				name, explicit = env, true
			}
			return runAuditKey(c, name, explicit, asJSON)
		},
	}
	cmd.Flags().StringVar(&name, "name", auditlog.DefaultOrigin, "the log's name, used when the key is created (no spaces or '+')")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the key's name, hash, verifier key and file as JSON")
	return cmd
}

func runAuditKey(c *cli, name string, explicit, asJSON bool) error {
	dir, err := c.dataDir()
	if err != nil {
		return fmt.Errorf("audit key: data directory: %w", err)
	}
	key, err := auditlog.LoadKey(dir)
	created := false
	switch {
	case err == nil && (!explicit || key.Name() == name):
	case err == nil:
		return fmt.Errorf("audit key: the key in %s is for log %q, not %q; a log's name does not change", dir, key.Name(), name)
	case errors.Is(err, fs.ErrNotExist):
		key, created, err = auditlog.LoadOrCreateKey(dir, name)
		var ie *auditlog.InputError
		if errors.As(err, &ie) && ie.Field == "origin" {
			return usageErrorf("--name: %s", ie.Message)
		}
		if err != nil {
			return fmt.Errorf("audit key: %w", err)
		}
	default:
		return fmt.Errorf("audit key: %w", err)
	}
	path := filepath.Join(dir, auditlog.KeyFileName)
	if created {
		fmt.Fprintf(c.stderr, "tollgate: created the audit signing key %s\n", path)
	}
	if asJSON {
		return writeJSON(c.stdout, auditKeyInfo{
			Name: key.Name(), KeyHash: fmt.Sprintf("%08x", key.Hash()),
			VerifierKey: key.VerifierKey(), Path: path, Created: created,
		})
	}
	_, err = fmt.Fprintln(c.stdout, key.VerifierKey())
	return err
}

func newAuditVerifyCmd(c *cli) *cobra.Command {
	var keys []string
	var oldPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify BUNDLE --key PUBKEY|@FILE [--checkpoint OLD]",
		Short: "Verify an exported audit bundle offline",
		Long: `verify checks an audit bundle (a directory with records.jsonl, leafhashes.bin
and checkpoint.note) with nothing but the log's public key: the checkpoint's
signature, every record's canonical form and sequence number, every leaf hash
and the tree's root hash. With --checkpoint, a signed checkpoint kept from an
earlier bundle, it also checks that the log only grew since: no earlier record
was changed.

--key takes a verifier key as "tollgate audit key" prints it, or @FILE for a
file of keys, one per line. Repeat it to give the keys from before and after
a key rotation.

On failure verify exits with status 1 and names the first bad record and what
happened to it: altered, missing, reordered, inserted or truncated.`,
		Example: `  tollgate audit verify ./bundle --key 'tollgate+1a2b3c4d+AX...'
  tollgate audit verify ./bundle --key @tollgate-audit.pub --checkpoint last-quarter.note
  tollgate audit verify ./bundle --key @tollgate-audit.pub --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAuditVerify(c, args[0], keys, oldPath, asJSON)
		},
	}
	cmd.Flags().StringArrayVar(&keys, "key", nil, "the log's public key, or @FILE of keys (repeatable; required)")
	cmd.Flags().StringVar(&oldPath, "checkpoint", "", "a signed checkpoint kept from before, which the log must extend")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verification report as JSON")
	return cmd
}

func runAuditVerify(c *cli, bundle string, keyArgs []string, oldPath string, asJSON bool) error {
	if st, err := os.Stat(bundle); err != nil || !st.IsDir() {
		return usageErrorf("BUNDLE %q is not a bundle directory", bundle)
	}
	keys, err := readKeyArgs(keyArgs)
	if err != nil {
		return err
	}
	known, err := auditlog.ParseVerifierKeys(keys...)
	if err != nil {
		var ie *auditlog.InputError
		if errors.As(err, &ie) {
			return usageErrorf("--key: %s", ie.Message)
		}
		return usageErrorf("--key: %v", err)
	}
	var old []byte
	if oldPath != "" {
		if old, err = os.ReadFile(oldPath); err != nil {
			return usageErrorf("--checkpoint: %v", err)
		}
	}
	rep, verr := auditlog.Verify(c.ctx, os.DirFS(bundle), known, old)
	if rep == nil {
		return fmt.Errorf("audit verify: %w", verr)
	}
	if asJSON {
		if err := writeJSON(c.stdout, rep); err != nil {
			return err
		}
	} else if err := printReport(c.stdout, rep); err != nil {
		return err
	}
	return verr
}

// readKeyArgs expands the --key values: a key, or @FILE of keys, one per
// line (blank lines and lines starting with # are skipped).
func readKeyArgs(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, usageErrorf("--key is required: the log's public key, as \"tollgate audit key\" prints it")
	}
	var keys []string
	for _, a := range args {
		path, ok := strings.CutPrefix(a, "@")
		if !ok {
			keys = append(keys, a)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, usageErrorf("--key: %v", err)
		}
		n := len(keys)
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
				keys = append(keys, line)
			}
		}
		if len(keys) == n {
			return nil, usageErrorf("--key: %s holds no key", path)
		}
	}
	return keys, nil
}

// printReport writes the report for people: what was checked and, on
// success, that it held. The problem itself is the command's error.
func printReport(w io.Writer, rep *auditlog.Report) error {
	cp := rep.Checkpoint
	if cp == nil {
		return nil // the checkpoint did not open; the error says why
	}
	status := "FAILED"
	if rep.OK {
		status = "verified"
	}
	fmt.Fprintf(w, "bundle %s: %d records of log %s\n", status, rep.Records, cp.Origin)
	fmt.Fprintf(w, "  checkpoint:  size %d, root hash %s\n", cp.Size, cp.Hash)
	fmt.Fprintf(w, "  signed by:   %s\n", strings.Join(rep.SignedBy, ", "))
	if rep.LeafHashes != "" {
		fmt.Fprintf(w, "  leaf hashes: %s\n", rep.LeafHashes)
	}
	if rep.OldTreeSize > 0 && rep.OK {
		fmt.Fprintf(w, "  the log extends the older checkpoint of size %d\n", rep.OldTreeSize)
	}
	if p := rep.Problem; p != nil && p.Seq >= 0 {
		_, err := fmt.Fprintf(w, "  first bad record: %d (%s)\n", p.Seq, p.Kind)
		return err
	}
	return nil
}
