package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/licensing"
	"tollgate/store"
)

func newApplicationsShowCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "show APP",
		Short:   "Show an application with its review, allowed events and deadlines",
		Example: `  tollgate applications show APP --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				v, err := svc.Application(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, v)
				}
				return printApplication(c.stdout, v)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printApplication writes an application for a person.
func printApplication(w io.Writer, v *licensing.ApplicationView) error {
	var b strings.Builder
	control := v.ControlNumber
	if control == "" {
		control = "no control number yet"
	}
	fmt.Fprintf(&b, "%s  %s (%s), version %d\n", v.ID, v.State, control, v.Version)
	fmt.Fprintf(&b, "  %s from %s to %s: %s\n", itemSummary(v.Items), v.ExportFrom, v.Destination, v.EndUse)
	for _, ref := range v.Parties.List() {
		fmt.Fprintf(&b, "  %-23s %s\n", ref.Role, ref.ID)
	}
	fmt.Fprintf(&b, "  %d document(s), %d certification(s)\n", len(v.Documents), len(v.Certifications))
	for _, r := range v.Recommendations {
		fmt.Fprintf(&b, "  %s recommends %s: %s\n", r.Agency, r.Recommendation, strings.Join(r.Reasons, "; "))
	}
	if d := v.CommitteeDecision; d != nil {
		fmt.Fprintf(&b, "  Operating Committee chair decided %s on %s\n", d.Outcome, d.At.Format(time.DateOnly))
	}
	for _, a := range v.Appeals {
		fmt.Fprintf(&b, "  %s appealed to %s on %s: %s\n", a.Agency, a.Level, a.At.Format(time.DateOnly), strings.Join(a.Reasons, "; "))
		if d := a.Decision; d != nil {
			fmt.Fprintf(&b, "  %s decided %s on %s (%s)\n", a.Level, d.Outcome, d.At.Format(time.DateOnly), a.Record)
		}
	}
	if d := v.Decision; d != nil {
		fmt.Fprintf(&b, "  decided %s on %s", d.Outcome, d.At.Format(time.DateOnly))
		if !d.StandsAt.IsZero() {
			fmt.Fprintf(&b, ", standing from %s", d.StandsAt.Format(time.DateOnly))
		}
		if d.LicenseNumber != "" {
			fmt.Fprintf(&b, ", license %s", d.LicenseNumber)
		}
		b.WriteString("\n")
	}
	if len(v.AllowedEvents) > 0 {
		fmt.Fprintf(&b, "  allowed events: %s\n", joinEventKinds(v.AllowedEvents))
	}
	for _, d := range v.Deadlines {
		fmt.Fprintf(&b, "  %s\n", deadlineLine(d))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// deadlineName names a deadline with the agency or appeal level it is for.
func deadlineName(d licensing.Deadline) string {
	name := string(d.Kind)
	if d.Agency != "" {
		name += " (" + string(d.Agency) + ")"
	}
	if d.Level != "" {
		name += " (" + string(d.Level) + ")"
	}
	return name
}

func deadlineLine(d licensing.Deadline) string {
	s := fmt.Sprintf("deadline %s due %s: %s", deadlineName(d), d.Due.Format(time.DateOnly), d.State)
	if d.DaysLate > 0 {
		s += fmt.Sprintf(", %d day(s) late", d.DaysLate)
	}
	return s
}

func joinEventKinds(kinds []licensing.EventKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func newApplicationsCertifyCmd(c *cli) *cobra.Command {
	var (
		db                 string
		officer, statement string
	)
	cmd := &cobra.Command{
		Use:   "certify APP [CODE]",
		Short: "List the certifications a draft requires, or make one as its officer",
		Long: `Without CODE, certify lists the certifications the application's
classification requires, each with the exact statement to certify and
whether it was made. With CODE, it records the explicit certification of
--statement (the required text, word for word) by the officer named by
--officer: nothing is ever certified by default.`,
		Example: `  tollgate applications certify APP
  tollgate applications certify APP us_supply --officer "Jane Officer" \
    --statement "US supply is sufficient: no existing or new order for US end use is delayed, …"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 && (strings.TrimSpace(officer) == "" || strings.TrimSpace(statement) == "") {
				return usageErrorf("--officer and --statement are required to certify %s", args[1])
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				if len(args) == 1 {
					return c.printRequiredCertifications(ctx, svc, args[0])
				}
				sa, err := svc.Certify(ctx, args[0], licensing.CertificationInput{Code: args[1], Statement: statement, OfficerName: officer}, 0)
				if err != nil {
					return certifyFlagError(err)
				}
				_, err = fmt.Fprintf(c.stdout, "%s\t%s certified by %s; %d certification(s) made\n", sa.ID, args[1], officer, len(sa.Certifications))
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&officer, "officer", "", "the certifying officer's full name")
	cmd.Flags().StringVar(&statement, "statement", "", "the statement certified: the required text, word for word")
	return cmd
}

// certifyFlagError names the flag of a certification's bad field.
func certifyFlagError(err error) error {
	var te *tollgate.Error
	if !errors.As(err, &te) {
		return err
	}
	switch te.Field {
	case "statement":
		return usageErrorf("--statement: %s", te.Message)
	case "officer_name":
		return usageErrorf("--officer: %s", te.Message)
	case "code":
		return usageErrorf("CODE: %s", te.Message)
	}
	return err
}

func (c *cli) printRequiredCertifications(ctx context.Context, svc *licensing.Service, id string) error {
	reqs, err := svc.RequiredCertifications(ctx, id)
	if err != nil {
		return err
	}
	v, err := svc.Application(ctx, id)
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		_, err := fmt.Fprintln(c.stdout, "the application as classified requires no certification")
		return err
	}
	var b strings.Builder
	for _, r := range reqs {
		made := "not made"
		if i := slices.IndexFunc(v.Certifications, func(x tollgate.Certification) bool { return x.Code == r.Code }); i >= 0 {
			x := v.Certifications[i]
			made = fmt.Sprintf("certified by %s (%s) at %s", x.OfficerName, x.OfficerUserID, x.MadeAt.Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "%s: %s\n  %s\n", r.Code, made, r.Text)
	}
	_, err = io.WriteString(c.stdout, b.String())
	return err
}

func newApplicationsPrecheckCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "precheck APP",
		Short: "Run the prechecks on an application: each passes, warns or fails with its reason",
		Long: `precheck checks what submission will check, as of now, and changes nothing:
the form is complete, the export is in scope, every item is classified for
every end user under a reviewable policy, every party is screened clear,
every required certification is made, the 50% cap projection holds, and the
documents are acceptable. A presumption of denial (a chip above the H200
rule's limits to China, a reexport to China, an end user headquartered in
D:5) is a warning (WARN), not a failure: the application may be filed and
the agency decides. It exits 1 when a check fails.`,
		Example: `  tollgate applications precheck APP`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				rep, err := svc.Precheck(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					if err := writeJSON(c.stdout, rep); err != nil {
						return err
					}
				} else {
					for _, ch := range rep.Checks {
						fmt.Fprintln(c.stdout, ch.String())
					}
					fmt.Fprintf(c.stdout, "%d check(s): %d failing, %d warning(s)\n", len(rep.Checks), rep.Failing, rep.Warnings)
				}
				if !rep.CanSubmit {
					return tollgate.Errorf(tollgate.EPRECONDITION, "%d of %d prechecks fail", rep.Failing, len(rep.Checks))
				}
				return nil
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newApplicationsSubmitCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "submit APP",
		Short:   "Submit a draft: the prechecks must all pass (warnings do not block); assigns the application control number",
		Example: `  tollgate applications submit APP`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				out, err := svc.Submit(ctx, args[0], 0)
				if err != nil {
					return err
				}
				return c.printOutcome(out, asJSON)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printOutcome writes the result of an event.
func (c *cli) printOutcome(out *licensing.Outcome, asJSON bool) error {
	if asJSON {
		return writeJSON(c.stdout, out)
	}
	a := out.Application
	fmt.Fprintf(c.stdout, "%s\t%s", a.ID, a.State)
	if a.ControlNumber != "" {
		fmt.Fprintf(c.stdout, " (%s)", a.ControlNumber)
	}
	fmt.Fprintln(c.stdout)
	for _, e := range out.Effects {
		line := string(e.Kind)
		switch {
		case e.ControlNumber != "":
			line += " " + e.ControlNumber
		case len(e.Agencies) > 0:
			line += " to " + joinAgencyList(e.Agencies)
		case e.Reason != "":
			line += ": " + e.Reason
		}
		fmt.Fprintf(c.stdout, "  %s\n", line)
	}
	for _, w := range out.Warnings {
		fmt.Fprintf(c.stdout, "  %s\n", w)
	}
	if l := out.License; l != nil {
		fmt.Fprintf(c.stdout, "  license %s valid %s to %s\n", l.Number, l.ValidFrom.Format(time.DateOnly), l.ValidTo.Format(time.DateOnly))
	}
	return nil
}

func joinAgencyList(as []tollgate.ReviewAgency) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

func newApplicationsOverdueCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "overdue",
		Short: "List applications under review with a deadline past due, most days late first",
		Example: `  tollgate applications overdue
  tollgate applications overdue --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				late, err := svc.OverdueApplications(ctx, store.ApplicationFilter{})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, late)
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "ID\tCONTROL\tSTATE\tDEADLINE\tDUE\tDAYS LATE")
				for _, v := range late {
					for _, d := range v.Overdue {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", v.ID, v.ControlNumber, v.State, deadlineName(d), d.Due.Format(time.DateOnly), d.DaysLate)
					}
				}
				return tw.Flush()
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
