package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/catalog"
	"tollgate/shipping"
	"tollgate/store"
)

var labFlags = map[string]string{"lab_org_id": "--lab", "public_key": "--public-key"}

func newLabsCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "labs",
		Short: "Lab keys and signed lab reports: keygen, register-key, sign, record",
		Long: `labs serves the US third-party lab that tests every shipment before export.
The lab makes an Ed25519 key pair (keygen), registers the public key with its
organization (register-key), signs each report on the units it tested (sign:
the report is judged against the product's specification, and the judgment is
signed with the measurements), and records it (record). tollgate verifies the
signature and refuses reports on units that were never imported.`,
		Example: `  tollgate labs keygen --out lab.key
  tollgate labs register-key --lab LAB --key lab.key
  tollgate labs sign --key lab.key --in report.json --out signed.json
  tollgate labs record --in signed.json
  tollgate labs reports --exporter ORG`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newLabsKeygenCmd(c), newLabsRegisterKeyCmd(c), newLabsRevokeKeyCmd(c), newLabsKeysCmd(c),
		newLabsSignCmd(c), newLabsRecordCmd(c), newLabsReportsCmd(c))
	return cmd
}

func newLabsKeygenCmd(c *cli) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Make an Ed25519 key pair for signing lab reports",
		Long: `keygen writes a new private key (its 32-byte seed, base64) to --out, readable
only by you, and prints the public key and its key id to register.`,
		Example: `  tollgate labs keygen --out lab.key`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("--out: required: the file to write the private key to")
			}
			seed := make([]byte, ed25519.SeedSize)
			rand.Read(seed)
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return usageErrorf("--out: %v", err)
			}
			if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(seed)); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
			_, err = fmt.Fprintf(c.stdout, "key id:     %s\npublic key: %s\n", tollgate.LabKeyID(pub), base64.StdEncoding.EncodeToString(pub))
			return err
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the private key to (must not exist)")
	return cmd
}

// readLabKey reads a private key written by labs keygen.
func readLabKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, usageErrorf("--key: required: the private key file labs keygen wrote")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("--key: %v", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, usageErrorf("--key: %s is not a key written by tollgate labs keygen", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func newLabsRegisterKeyCmd(c *cli) *cobra.Command {
	var db, lab, pub64, keyFile string
	cmd := &cobra.Command{
		Use:     "register-key",
		Short:   "Register a public key with a lab organization",
		Example: `  tollgate labs register-key --lab LAB --key lab.key`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var pub []byte
			switch {
			case keyFile != "" && pub64 != "":
				return usageErrorf("--public-key: give --public-key or --key, not both")
			case keyFile != "":
				priv, err := readLabKey(keyFile)
				if err != nil {
					return err
				}
				pub = priv.Public().(ed25519.PublicKey)
			default:
				var err error
				if pub, err = base64.StdEncoding.DecodeString(pub64); err != nil {
					return usageErrorf("--public-key: want the base64 public key labs keygen printed")
				}
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				k, err := svc.RegisterLabKey(ctx, lab, pub)
				if err != nil {
					return shipFlagError(err, labFlags)
				}
				_, err = fmt.Fprintf(c.stdout, "registered key %s with lab %s\n", k.ID, k.LabOrgID)
				return err
			}, orgRef("--lab", &lab, tollgate.OrgLab))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&lab, "lab", "", "the lab organization (required)")
	cmd.Flags().StringVar(&pub64, "public-key", "", "the public key, base64")
	cmd.Flags().StringVar(&keyFile, "key", "", "or the private key file, whose public key is registered")
	return cmd
}

func newLabsRevokeKeyCmd(c *cli) *cobra.Command {
	var db, lab, reason string
	cmd := &cobra.Command{
		Use:     "revoke-key KEY",
		Short:   "Revoke a lab key: reports recorded from now on with it are refused",
		Example: `  tollgate labs revoke-key 3f2a... --lab LAB --reason "key rotated"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErrorf("--reason: required")
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				k, err := svc.RevokeLabKey(ctx, lab, args[0], reason)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(c.stdout, "revoked key %s of lab %s at %s\n", k.ID, k.LabOrgID, k.RevokedAt.Format(time.RFC3339))
				return err
			}, orgRef("--lab", &lab, tollgate.OrgLab))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&lab, "lab", "", "the key's lab (checked when given)")
	cmd.Flags().StringVar(&reason, "reason", "", "why the key is revoked (required)")
	return cmd
}

func newLabsKeysCmd(c *cli) *cobra.Command {
	var (
		db, lab string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:     "keys",
		Short:   "List registered lab keys",
		Example: `  tollgate labs keys --lab LAB`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				keys, err := svc.FindLabKeys(ctx, lab)
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, nonNilSlice(keys)) })
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "KEY ID\tLAB\tREGISTERED\tREVOKED")
				for _, k := range keys {
					revoked := ""
					if !k.RevokedAt.IsZero() {
						revoked = k.RevokedAt.Format(time.RFC3339)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.LabOrgID, k.CreatedAt.Format(time.RFC3339), revoked)
				}
				return tw.Flush()
			}, orgRef("--lab", &lab, tollgate.OrgLab))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&lab, "lab", "", "only keys of this lab")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newLabsSignCmd(c *cli) *cobra.Command {
	var in, out, keyFile, chip string
	tolerance := -1
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Judge a lab report against the product's specification and sign it",
		Long: `sign reads a lab report (JSON: number, lab_org_id, technician_user_id,
exporter_org_id, application_id, product, units, examined, sampling_plan,
measured, measured_dram_bandwidth_gbps, method, tested_at), judges it against
the specification of the chip the application names (--chip; the product by
default, from the catalog) with the licensing agency's tolerance (5% unless
TOLLGATE_LAB_TOLERANCE_BP says otherwise, or --tolerance-bp when a license
condition tightens it) and against the H200 rule's limits (TPP below 21,000,
DRAM bandwidth below 6,500 GB/s, whatever the tolerance), signs the report and
its judgment with the key, and writes the signed report. The report is signed
for the product's identity (the catalog's model: "H200" becomes "H200 SXM"),
which tollgate requires when it is recorded. A report covers
exactly the units of one export; examined must meet the agency's minimum
(every unit unless TOLLGATE_LAB_MIN_EXAMINED_BP says otherwise). It works
offline: nothing is recorded until labs record.`,
		Example: `  tollgate labs sign --key lab.key --in report.json --out signed.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			priv, err := readLabKey(keyFile)
			if err != nil {
				return err
			}
			r, err := c.readLabReport(in)
			if err != nil {
				return err
			}
			if chip == "" {
				chip = r.Product
			}
			spec, err := catalog.Default().Lookup(chip)
			if err != nil {
				return usageErrorf("--chip: %s", tollgate.ErrorMessage(err))
			}
			cfg, err := c.shippingConfig()
			if err != nil {
				return err
			}
			rules := cfg.Review
			r.ToleranceBP = rules.ToleranceBP
			if tolerance >= 0 {
				r.ToleranceBP = tolerance
			}
			// The report is signed for the product's identity, whatever name
			// the draft gives it.
			if r.Product, err = catalog.Default().Product(r.Product); err != nil {
				return usageErrorf("product: %s", tollgate.ErrorMessage(err))
			}
			r.KeyID = tollgate.LabKeyID(priv.Public().(ed25519.PublicKey))
			if r.TestedAt.IsZero() {
				r.TestedAt = c.now().UTC().Truncate(time.Second)
			}
			r.TestedAt = r.TestedAt.Truncate(time.Microsecond)
			if r, err = shipping.Judge(r, spec, rules); err != nil {
				return err
			}
			if err := shipping.CheckSampling(r, rules, rules.ToleranceBP); err != nil {
				return err
			}
			if r.Signature, err = shipping.SignReport(priv, r); err != nil {
				return err
			}
			return c.writeOut(out, r)
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "the lab's private key file (required)")
	cmd.Flags().StringVar(&in, "in", "-", "the report to sign, JSON (- for standard input)")
	cmd.Flags().StringVar(&out, "out", "-", "where to write the signed report (- for standard output)")
	cmd.Flags().StringVar(&chip, "chip", "", "the chip the application names (default: the report's product)")
	cmd.Flags().IntVar(&tolerance, "tolerance-bp", -1, "the tolerance a license condition sets, in basis points, when tighter than the agency's")
	return cmd
}

// readLabReport reads a lab report as JSON from a file or standard input.
func (c *cli) readLabReport(name string) (tollgate.LabReport, error) {
	var r tollgate.LabReport
	b, err := c.readInput(name)
	if err != nil {
		return r, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, usageErrorf("--in: not a lab report: %v", err)
	}
	return r, nil
}

// writeOut writes v as JSON to the file name, "-" meaning standard output.
func (c *cli) writeOut(name string, v any) error {
	if name == "-" || name == "" {
		return writeJSON(c.stdout, v)
	}
	f, err := os.Create(name)
	if err != nil {
		return usageErrorf("--out: %v", err)
	}
	if err := writeJSON(f, v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func newLabsRecordCmd(c *cli) *cobra.Command {
	var (
		db, in string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "record",
		Short:   "Record a signed lab report (the signature and the units are checked)",
		Example: `  tollgate labs record --in signed.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := c.readLabReport(in)
			if err != nil {
				return err
			}
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				out, err := svc.RecordLabReport(ctx, r)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, out)
				}
				verdict := "PASS"
				if !out.Pass {
					verdict = "FAIL"
				}
				_, err = fmt.Fprintf(c.stdout, "%s\treport %s on %s: %s\n\t%s\n", out.ID, out.Number, unitsWord(out.Units), verdict,
					strings.Join(out.Findings, "\n\t"))
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&in, "in", "-", "the signed report, JSON (- for standard input)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newLabsReportsCmd(c *cli) *cobra.Command {
	var (
		db     string
		f      store.ShippingFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "reports",
		Short:   "List recorded lab reports",
		Example: `  tollgate labs reports --exporter ORG`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withShipping(cmd.Context(), db, func(ctx context.Context, svc *shipping.Service) error {
				all, err := allPages(f, func(f store.ShippingFilter) ([]*tollgate.LabReport, string, error) {
					return svc.FindLabReports(ctx, f)
				})
				if err != nil || asJSON {
					return firstErr(err, func() error { return writeJSON(c.stdout, nonNilSlice(all)) })
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "ID\tNUMBER\tTESTED\tPRODUCT\tUNITS\tPASS\tKEY")
				for _, r := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%t\t%s\n", r.ID, r.Number, r.TestedAt.Format(time.DateOnly), r.Product,
						unitsWord(r.Units), r.Pass, r.KeyID)
				}
				return tw.Flush()
			}, orgRef("--exporter", &f.ExporterOrgID, tollgate.OrgExporter), orgRef("--lab", &f.LabOrgID, tollgate.OrgLab),
				productRef("--product", &f.Product))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&f.ExporterOrgID, "exporter", "", "only reports for this exporter")
	cmd.Flags().StringVar(&f.LabOrgID, "lab", "", "only reports of this lab")
	cmd.Flags().StringVar(&f.Product, "product", "", "only reports on this product")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
