package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/api"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/licensing"
	"tollgate/store"
)

// licensingConfig returns the licensing rules' configuration: the defaults,
// with the license validity from $TOLLGATE_LICENSE_VALIDITY_YEARS when set.
func (c *cli) licensingConfig() (licensing.Config, error) {
	cfg := licensing.DefaultConfig()
	if v := c.getenv("TOLLGATE_LICENSE_VALIDITY_YEARS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return cfg, usageErrorf("TOLLGATE_LICENSE_VALIDITY_YEARS: want a number of years, not %q", v)
		}
		cfg.LicenseValidityYears = n
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageErrorf("TOLLGATE_LICENSE_VALIDITY_YEARS: %s", tollgate.ErrorMessage(err))
	}
	return cfg, nil
}

// localAuthorize lets the person running a local command act on the store
// with its full authority, as every store command does (the audit records
// name them, cli:USER); any other principal is held to auth's policy.
func localAuthorize(p *tollgate.Principal, perm string, own licensing.Ownership) error {
	if p != nil && strings.HasPrefix(p.UserID, tollgate.LocalUserPrefix) {
		return nil
	}
	return auth.Authorize(p, perm, auth.OwnedBy(own.OrgID, own.AssignedOrgIDs...))
}

// withLicensing opens the store named by dsn, resolves the command's
// references on it, builds the licensing service over it and runs fn with
// a context acting as the local user.
func (c *cli) withLicensing(ctx context.Context, dsn string, fn func(ctx context.Context, svc *licensing.Service) error, refs ...ref) error {
	cfg, err := c.licensingConfig()
	if err != nil {
		return err
	}
	st, err := c.openStore(dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := resolveRefs(ctx, st, refs); err != nil {
		return err
	}
	svc, err := licensing.NewService(st, licensing.ServiceConfig{Config: cfg, Rules: classify.Default(),
		Catalog: catalog.Default(), Authorize: localAuthorize})
	if err != nil {
		return err
	}
	return fn(tollgate.WithPrincipal(ctx, c.localPrincipal()), svc)
}

// serveLicensing returns the licensing service tollgate serve hands the API
// (api.Deps.Licensing): the configured rules over db, authorizing every
// caller with auth's policy.
func (c *cli) serveLicensing(db *store.DB) (*licensing.Service, error) {
	cfg, err := c.licensingConfig()
	if err != nil {
		return nil, err
	}
	return licensing.NewService(db, licensing.ServiceConfig{Config: cfg, Rules: classify.Default(),
		Catalog: catalog.Default(), Authorize: api.AuthorizeLicensing})
}

// readInput reads a file argument, "-" meaning standard input.
func (c *cli) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(c.stdin, 1<<20+1))
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return b, nil
}

func newApplicationsCmd(c *cli) *cobra.Command {
	var (
		db     string
		state  string
		orgID  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "applications",
		Short: "Draft, certify, submit and review license applications",
		Long: `applications lists license applications. Its subcommands run an application's
whole life: create a draft from a JSON or YAML file, attach PDF documents,
certify, precheck and submit it as the exporter; then send the review's events
(accept, request_info, refer, recommend, decide, …) as the licensing agency and
the reviewing agencies; show one with its deadlines, and list the overdue ones.

Local commands act on the store directly as the operating-system user
(cli:$USER in the audit log), with the store's full authority.`,
		Example: `  tollgate applications agencies set BIS $BIS_ORG
  tollgate applications create h200-to-cn.yaml --document end-user-statement.pdf
  tollgate applications certify APP performance_limits --officer "Jane Officer" --statement "…"
  tollgate applications submit APP
  tollgate applications event APP refer --agency DOD --agency STATE --agency DOE
  tollgate applications --state referred
  tollgate applications overdue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f := store.ApplicationFilter{OrgID: orgID, Limit: tollgate.MaxPageLimit}
			if state != "" {
				if !tollgate.ApplicationState(state).Valid() {
					return usageErrorf("--state: unknown application state %q", state)
				}
				f.States = []tollgate.ApplicationState{tollgate.ApplicationState(state)}
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				var all []*licensing.ApplicationView
				for {
					views, next, err := svc.FindApplications(ctx, licensing.ApplicationQuery{ApplicationFilter: f})
					if err != nil {
						return err
					}
					all = append(all, views...)
					if f.Cursor = next; next == "" {
						break
					}
				}
				if asJSON {
					return writeJSON(c.stdout, all)
				}
				return printApplicationTable(c.stdout, all)
			}, orgRef("--org-id", &f.OrgID, ""))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&state, "state", "", "only applications in this state (draft, submitted, under_review, …)")
	cmd.Flags().StringVar(&orgID, "org-id", "", "only applications of this applicant organization")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newApplicationsCreateCmd(c), newApplicationsUpdateCmd(c), newApplicationsAttachCmd(c),
		newApplicationsShowCmd(c), newApplicationsCertifyCmd(c), newApplicationsPrecheckCmd(c),
		newApplicationsSubmitCmd(c), newApplicationsEventsCmd(c), newApplicationsEventCmd(c),
		newApplicationsOverdueCmd(c), newApplicationsAgenciesCmd(c))
	return cmd
}

func printApplicationTable(w io.Writer, views []*licensing.ApplicationView) error {
	tw := newTable(w, 0, 4, 2)
	fmt.Fprintln(tw, "ID\tSTATE\tCONTROL\tDEST\tITEMS\tDAYS LATE\tUPDATED")
	for _, v := range views {
		control := v.ControlNumber
		if control == "" {
			control = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", v.ID, v.State, control, v.Destination, itemSummary(v.Items),
			v.DaysLate, v.UpdatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

// itemSummary renders items as "1,000 H200, 20 H100".
func itemSummary(items []tollgate.ApplicationItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprintf("%d %s", it.Quantity, it.Product())
	}
	return strings.Join(parts, ", ")
}

func newApplicationsCreateCmd(c *cli) *cobra.Command {
	var (
		db        string
		documents []string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "create FILE",
		Short: "Create a draft application from a JSON or YAML file (- for stdin)",
		Long: `create stores a draft application described by FILE: parties (applicant
organization id, purchaser, intermediate_consignees, ultimate_consignee and
end_users party ids), destination, export_from, reexport, end_use, items
(model or spec_ref, eccn, quantity, unit_price_cents, manufacturer,
description) and us_shipments (product, units shipped to US customers).
--document attaches PDF files to it.`,
		Example: `  tollgate applications create h200-to-cn.yaml --document end-user-statement.pdf`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := c.readInput(args[0])
			if err != nil {
				return err
			}
			d, err := licensing.ParseDraft(data)
			if err != nil {
				return usageErrorf("%s: %s", args[0], tollgate.ErrorMessage(err))
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				sa, err := svc.CreateDraft(ctx, d)
				if err != nil {
					return fileErrorOf(args[0], err)
				}
				for _, path := range documents {
					if sa, err = c.attach(ctx, svc, sa.ID, path); err != nil {
						return err
					}
				}
				if asJSON {
					return writeJSON(c.stdout, sa)
				}
				_, err = fmt.Fprintf(c.stdout, "%s\tdraft, version %d, %d document(s)\n", sa.ID, sa.Version, len(sa.Documents))
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringArrayVar(&documents, "document", nil, "a PDF to attach (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newApplicationsUpdateCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "update APP FILE",
		Short:   "Change a draft from a JSON or YAML file of the fields to change; withdraws its certifications",
		Example: `  echo 'end_use: inference only' | tollgate applications update APP -`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := c.readInput(args[1])
			if err != nil {
				return err
			}
			upd, err := licensing.ParseDraftUpdate(data)
			if err != nil {
				return usageErrorf("%s: %s", args[1], tollgate.ErrorMessage(err))
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				sa, err := svc.UpdateDraft(ctx, args[0], upd, 0)
				if err != nil {
					return fileErrorOf(args[1], err)
				}
				if asJSON {
					return writeJSON(c.stdout, sa)
				}
				_, err = fmt.Fprintf(c.stdout, "%s\tdraft, version %d; certify again before submitting\n", sa.ID, sa.Version)
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newApplicationsAttachCmd(c *cli) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:     "attach APP PDF...",
		Short:   "Attach supporting PDF documents to a draft (or when information was requested)",
		Example: `  tollgate applications attach APP end-user-statement.pdf kyc-procedure.pdf`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				for _, path := range args[1:] {
					sa, err := c.attach(ctx, svc, args[0], path)
					if err != nil {
						return err
					}
					d := sa.Documents[len(sa.Documents)-1]
					fmt.Fprintf(termSafe{c.stdout}, "%s\t%s, %d bytes, sha256 %s\n", sa.ID, d.Name, d.Size, d.Digest)
				}
				return nil
			})
		},
	}
	addDBFlag(cmd, &db)
	return cmd
}

// fileErrorOf turns an invalid field of an input file into a usage error
// naming the file and the field.
func fileErrorOf(file string, err error) error {
	var te *tollgate.Error
	if errors.As(err, &te) && te.Code == tollgate.EINVALID && te.Field != "" {
		return usageErrorf("%s: %s", file, te.Error())
	}
	return err
}

// attach uploads the file at path to the application.
func (c *cli) attach(ctx context.Context, svc *licensing.Service, id, path string) (*store.StoredApplication, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("--document: %v", err)
	}
	sa, _, err := svc.UploadDocument(ctx, id, filepath.Base(path), "", content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sa, nil
}
