package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/licensing"
	"tollgate/store"
)

func newLicensesCmd(c *cli) *cobra.Command {
	var (
		db     string
		orgID  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "licenses",
		Short: "List, show and acknowledge export licenses",
		Long: `licenses lists the licenses issued on approved applications with their status
as of today (active, exhausted, expired, suspended, revoked), what remains of
each licensed item, and the condition acknowledgments still awaited before the
first shipment. Its subcommands show one license and record a bound party's
acknowledgment of a condition.`,
		Example: `  tollgate licenses
  tollgate licenses show D000001
  tollgate licenses ack D000001 --condition C1 --role end_user --party PARTY --signed-by "Li Wei, CEO"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				f := store.LicenseFilter{HolderOrgID: orgID, Limit: tollgate.MaxPageLimit}
				var all []*licensing.LicenseView
				for {
					views, next, err := svc.FindLicenses(ctx, f)
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
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "NUMBER\tSTATUS\tCONTROL\tDEST\tVALID TO\tREMAINING\tPENDING ACKS\tID")
				for _, v := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", v.Number, v.CurrentStatus, v.ControlNumber, v.Destination,
						v.ValidTo.Format(time.DateOnly), remainingSummary(v.Remaining), len(v.PendingAcknowledgments), v.ID)
				}
				return tw.Flush()
			}, orgRef("--org-id", &orgID, ""))
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&orgID, "org-id", "", "only licenses held by this organization")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newLicensesShowCmd(c), newLicensesAckCmd(c), newLicensesStatusCmd(c))
	return cmd
}

// remainingSummary renders what remains as "600/1000 H200".
func remainingSummary(rem []licensing.Remaining) string {
	parts := make([]string, len(rem))
	for i, r := range rem {
		parts[i] = fmt.Sprintf("%d/%d %s", r.RemainingUnits, r.LicensedUnits, r.Product)
	}
	return strings.Join(parts, ", ")
}

func newLicensesShowCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "show LICENSE",
		Short:   "Show a license (by id or number) with its items, conditions and acknowledgments",
		Example: `  tollgate licenses show D000001 --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				v, err := svc.License(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, v)
				}
				return printLicense(c.stdout, v)
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printLicense writes a license for a person.
func printLicense(w io.Writer, v *licensing.LicenseView) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s, application %s, to %s\n", v.Number, v.CurrentStatus, v.ControlNumber, v.Destination)
	fmt.Fprintf(&b, "  valid %s to %s, issued %s\n", v.ValidFrom.Format(time.DateOnly), v.ValidTo.Format(time.DateOnly), v.IssuedAt.Format(time.DateOnly))
	if v.StatusReason != "" {
		fmt.Fprintf(&b, "  %s: %s\n", v.Status, v.StatusReason)
	}
	for _, r := range v.Remaining {
		fmt.Fprintf(&b, "  %s: %d of %d units and %s of %s remain\n", r.Product, r.RemainingUnits, r.LicensedUnits,
			tollgate.FormatCents(r.RemainingCents), tollgate.FormatCents(r.LicensedCents))
	}
	for _, cond := range v.Conditions {
		fmt.Fprintf(&b, "  condition %s (binds %s): %s\n", cond.ID, joinPartyRoles(cond.Binds), cond.Text)
		for _, a := range cond.Acknowledgments {
			fmt.Fprintf(&b, "    acknowledged by %s %s, signed by %s on %s\n", a.Role, a.PartyID, a.SignedBy, a.At.Format(time.DateOnly))
		}
	}
	for _, p := range v.PendingAcknowledgments {
		fmt.Fprintf(&b, "  awaiting acknowledgment of %s by %s %s\n", p.ConditionID, p.Role, p.PartyID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func joinPartyRoles(roles []tollgate.PartyRole) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func newLicensesAckCmd(c *cli) *cobra.Command {
	var (
		db string
		in licensing.AcknowledgmentInput
	)
	cmd := &cobra.Command{
		Use:   "ack LICENSE",
		Short: "Record a bound party's acknowledgment of a license condition",
		Example: `  tollgate licenses ack D000001 --condition C1 --role end_user --party PARTY --signed-by "Li Wei, CEO" \
    --document-digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case in.ConditionID == "":
				return usageErrorf("--condition is required")
			case !in.Role.Valid() && in.Role != tollgate.RoleApplicant:
				return usageErrorf("--role: want applicant, purchaser, intermediate_consignee, ultimate_consignee or end_user, not %q", in.Role)
			case strings.TrimSpace(in.SignedBy) == "":
				return usageErrorf("--signed-by is required")
			case in.DocumentDigest != "" && !tollgate.IsHexDigest(in.DocumentDigest):
				return usageErrorf("--document-digest: want a lowercase hex SHA-256")
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				v, err := svc.Acknowledge(ctx, args[0], in)
				if err != nil {
					return ackFlagError(err)
				}
				_, err = fmt.Fprintf(c.stdout, "%s\tcondition %s acknowledged by %s; %d acknowledgment(s) pending\n",
					v.Number, in.ConditionID, in.Role, len(v.PendingAcknowledgments))
				return err
			}, partyRef("--party", &in.PartyID))
		},
	}
	addDBFlag(cmd, &db)
	f := cmd.Flags()
	f.StringVar(&in.ConditionID, "condition", "", "the condition's id (required)")
	f.StringVar((*string)(&in.Role), "role", "", "the role of the acknowledging party: applicant or a party role (required)")
	f.StringVar(&in.PartyID, "party", "", "the party's id (for the applicant role, default the license holder)")
	f.StringVar(&in.SignedBy, "signed-by", "", "who signed for the party (required)")
	f.StringVar(&in.DocumentDigest, "document-digest", "", "SHA-256 of the signed acknowledgment, when there is one")
	return cmd
}

// ackFlagError names the flag of an acknowledgment's bad field.
func ackFlagError(err error) error {
	var te *tollgate.Error
	if !errors.As(err, &te) {
		return err
	}
	flags := map[string]string{"condition_id": "--condition", "role": "--role", "party_id": "--party",
		"signed_by": "--signed-by", "document_digest": "--document-digest"}
	if flag, ok := flags[te.Field]; ok {
		return usageErrorf("%s: %s", flag, te.Message)
	}
	return err
}

func newLicensesStatusCmd(c *cli) *cobra.Command {
	var (
		db     string
		in     licensing.LicenseStatusInput
		status string
	)
	cmd := &cobra.Command{
		Use:     "status LICENSE",
		Short:   "Suspend, revoke (final) or reinstate a license, with a reason",
		Example: `  tollgate licenses status D000001 --set suspended --reason "end-use check pending"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Status = tollgate.LicenseStatus(status)
			switch {
			case in.Status != tollgate.LicenseSuspended && in.Status != tollgate.LicenseRevoked && in.Status != tollgate.LicenseActive:
				return usageErrorf("--set: want suspended, revoked or active, not %q", status)
			case strings.TrimSpace(in.Reason) == "":
				return usageErrorf("--reason is required")
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				v, err := svc.SetLicenseStatus(ctx, args[0], in)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(termSafe{c.stdout}, "%s\t%s: %s\n", v.Number, v.Status, v.StatusReason)
				return err
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&status, "set", "", "suspended, revoked or active (required)")
	cmd.Flags().StringVar(&in.Reason, "reason", "", "why (required)")
	return cmd
}
