package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tollgate"
)

func newOrgsCmd(c *cli) *cobra.Command {
	var (
		db     string
		kind   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "orgs",
		Short: "List organizations in the store (exporters, agencies, labs, brokers, auditors)",
		Example: `  tollgate orgs
  tollgate orgs --kind exporter --json
  tollgate orgs add --kind exporter --name "Nvidia Corporation" --country US`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			k := tollgate.OrgKind(kind)
			if k != "" && !k.Valid() {
				return usageErrorf("--kind: want one of %s, not %q", orgKindList(), kind)
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			var all []*tollgate.Org
			for cursor := ""; ; {
				orgs, next, err := st.FindOrgs(cmd.Context(), tollgate.OrgFilter{Kind: k, Cursor: cursor, Limit: tollgate.MaxPageLimit})
				if err != nil {
					return err
				}
				all = append(all, orgs...)
				if cursor = next; cursor == "" {
					break
				}
			}
			if asJSON {
				return writeJSON(c.stdout, all)
			}
			tw := newTable(c.stdout, 0, 4, 2)
			fmt.Fprintln(tw, "ID\tKIND\tCOUNTRY\tNAME")
			for _, o := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.ID, o.Kind, o.Country, o.Name)
			}
			return tw.Flush()
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&kind, "kind", "", "only organizations of this kind: "+orgKindList())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newOrgsAddCmd(c))
	return cmd
}

func newOrgsAddCmd(c *cli) *cobra.Command {
	var (
		db     string
		org    tollgate.Org
		kind   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:     "add",
		Short:   "Add an organization",
		Example: `  tollgate orgs add --kind exporter --name "Nvidia Corporation" --country US`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			org.Kind = tollgate.OrgKind(kind)
			if err := parseCountry("--country", &org.Country); err != nil {
				return err
			}
			if err := org.Validate(); err != nil {
				return flagErrorOf(err)
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.CreateOrg(cmd.Context(), &org); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, org)
			}
			_, err = fmt.Fprintf(termSafe{c.stdout}, "%s\t%s %s (%s)\n", org.ID, org.Kind, org.Name, org.Country)
			return err
		},
	}
	addDBFlag(cmd, &db)
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "", "kind: "+orgKindList()+" (required)")
	f.StringVar(&org.Name, "name", "", "legal name (required)")
	f.StringVar(&org.Country, "country", "", "ISO 3166-1 alpha-2 country code (required)")
	f.StringVar(&org.UltimateParent, "ultimate-parent", "", "the legal name of its ultimate parent, if any (a lab must share none with the exporter or consignee)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func orgKindList() string {
	ks := make([]string, len(tollgate.OrgKinds))
	for i, k := range tollgate.OrgKinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

// fieldFlags names the command-line flag that sets each field a
// validation error can name.
var fieldFlags = map[string]string{
	"kind": "--kind", "name": "--name", "country": "--country", "org_id": "--org-id", "role": "--role",
	"type": "--type", "legal_name": "--legal-name", "other_names": "--other-name",
	"headquarters_country": "--headquarters-country", "ultimate_parent": "--ultimate-parent",
	"identifiers": "--identifier", "reason": "--reason",
}

// flagErrorOf turns a validation error into a usage error naming the flag
// that sets the offending field (other_names[2] is --other-name).
func flagErrorOf(err error) error {
	te, ok := err.(*tollgate.Error)
	if !ok || te.Field == "" {
		return err
	}
	field, _, _ := strings.Cut(te.Field, "[")
	field, _, _ = strings.Cut(field, ".")
	if flag, ok := fieldFlags[field]; ok {
		return usageErrorf("%s: %s", flag, te.Message)
	}
	return err
}
