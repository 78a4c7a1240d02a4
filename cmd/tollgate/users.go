package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tollgate"
	"tollgate/auth"
	"tollgate/store"
)

func newUsersCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "List and manage the users who sign in to tollgate",
		Long: `users lists the users of the store named by --db, creates a user with roles,
disables or enables one (a disabled user's sessions end at once and its tokens
stop working), sets a user's roles and sets a user's dashboard password. These
commands work on the store directly, as the operator of the installation: the
roles they give must fit the user's organization (an exporter's staff cannot
be licensing officers), but no role is needed to give them. USER is a user's
id or email.`,
		Example: `  tollgate users list --org ORG
  tollgate users create --org ORG --email ada@nvidia.example --name "Ada Lovelace" --role exporter_admin
  tollgate users set-roles ada@nvidia.example --role exporter_officer
  tollgate users disable ada@nvidia.example
  printf '%s\n' "$NEW_PASSWORD" | tollgate users set-password ada@nvidia.example --password-stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newUsersListCmd(c), newUsersCreateCmd(c), newUsersEnableCmd(c, false), newUsersEnableCmd(c, true),
		newUsersSetRolesCmd(c), newUsersSetPasswordCmd(c))
	return cmd
}

func newUsersListCmd(c *cli) *cobra.Command {
	var (
		db     string
		orgID  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users, oldest first",
		Example: `  tollgate users list
  tollgate users list --org ORG --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := resolveRefs(cmd.Context(), st, []ref{orgRef("--org", &orgID, "")}); err != nil {
				return err
			}
			var all []*tollgate.User
			for cursor := ""; ; {
				us, next, err := st.FindUsers(cmd.Context(), tollgate.UserFilter{OrgID: orgID, Cursor: cursor, Limit: tollgate.MaxPageLimit})
				if err != nil {
					return err
				}
				all = append(all, us...)
				if cursor = next; cursor == "" {
					break
				}
			}
			if asJSON {
				return writeJSON(c.stdout, all)
			}
			tw := newTable(c.stdout, 0, 4, 2)
			fmt.Fprintln(tw, "ID\tORG\tSTATE\tPASSWORD\tROLES\tEMAIL\tNAME")
			for _, u := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.OrgID, userState(u), yesNo(u.PasswordHash != ""),
					roleList(u.Roles), u.Email, u.Name)
			}
			return tw.Flush()
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringVar(&orgID, "org", "", "only users of this organization (id)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newUsersCreateCmd(c *cli) *cobra.Command {
	var (
		db            string
		u             tollgate.User
		roles         []string
		passwordStdin bool
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a user of an organization with roles",
		Long: `create adds a user to an organization with one or more roles. The user signs in
with API tokens ("tollgate tokens create") and, given a password with
--password-stdin, to the dashboard too.`,
		Example: `  tollgate users create --org ORG --email ada@nvidia.example --name "Ada Lovelace" --role exporter_admin
  tollgate users create --org BIS --email lo@bis.example --name "L. Officer" --role licensing_officer --password-stdin < pw.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			u.Email = tollgate.NormalizeEmail(u.Email)
			u.Roles = toRoles(roles)
			if err := u.Validate(); err != nil {
				return userFlagError(err)
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := resolveRefs(cmd.Context(), st, []ref{orgRef("--org", &u.OrgID, "")}); err != nil {
				return err
			}
			org, err := st.FindOrgByID(cmd.Context(), u.OrgID)
			if err != nil {
				return err
			}
			if err := auth.CheckRoles(org.Kind, u.Roles); err != nil {
				return userFlagError(err)
			}
			if passwordStdin {
				if u.PasswordHash, err = c.newPasswordHash(&u, true); err != nil {
					return err
				}
			}
			if err := st.CreateUser(cmd.Context(), &u); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, u)
			}
			_, err = fmt.Fprintf(termSafe{c.stdout}, "%s\t%s <%s> in %s (%s): %s\n", u.ID, u.Name, u.Email, org.Name, org.Kind, roleList(u.Roles))
			return err
		},
	}
	addDBFlag(cmd, &db)
	f := cmd.Flags()
	f.StringVar(&u.OrgID, "org", "", "the user's organization, its id or name (required)")
	f.StringVar(&u.Email, "email", "", "email address, the user's sign-in name (required)")
	f.StringVar(&u.Name, "name", "", "full name (required)")
	f.StringSliceVar(&roles, "role", nil, "a role: "+allRoles()+" (required; repeatable)")
	f.BoolVar(&passwordStdin, "password-stdin", false, "read a dashboard password from the first line of stdin")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// newUsersEnableCmd returns "users enable" (enable) or "users disable".
func newUsersEnableCmd(c *cli, enable bool) *cobra.Command {
	var db string
	verb, short, example := "disable", "Disable a user: end its sessions and stop its tokens working", "  tollgate users disable ada@nvidia.example"
	if enable {
		verb, short, example = "enable", "Enable a disabled user again (its ended sessions stay ended)", "  tollgate users enable ada@nvidia.example"
	}
	cmd := &cobra.Command{
		Use:     verb + " USER",
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			disabled := !enable
			return c.updateUser(cmd.Context(), db, args[0], tollgate.UserUpdate{Disabled: &disabled})
		},
	}
	addDBFlag(cmd, &db)
	return cmd
}

func newUsersSetRolesCmd(c *cli) *cobra.Command {
	var (
		db    string
		roles []string
	)
	cmd := &cobra.Command{
		Use:     "set-roles USER",
		Short:   "Replace a user's roles",
		Long:    `set-roles replaces every role of a user with the --role flags given.`,
		Example: `  tollgate users set-roles ada@nvidia.example --role exporter_admin --role exporter_officer`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs := toRoles(roles)
			if len(rs) == 0 {
				return usageErrorf("--role: give at least one role: %s", allRoles())
			}
			return c.updateUser(cmd.Context(), db, args[0], tollgate.UserUpdate{Roles: &rs})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().StringSliceVar(&roles, "role", nil, "a role: "+allRoles()+" (required; repeatable)")
	return cmd
}

func newUsersSetPasswordCmd(c *cli) *cobra.Command {
	var (
		db            string
		passwordStdin bool
	)
	cmd := &cobra.Command{
		Use:   "set-password USER",
		Short: "Set a user's dashboard password, ending its sessions",
		Long: `set-password sets the password a user signs in to the dashboard with, after
checking it against the password policy (at least 12 characters, not a common
password, not the user's name or email). Every session of the user ends. The
password is read from the first line of stdin with --password-stdin, else
asked for twice on the terminal; it is never taken from a flag.`,
		Example: `  tollgate users set-password ada@nvidia.example
  printf '%s\n' "$NEW_PASSWORD" | tollgate users set-password ada@nvidia.example --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			hash, err := c.newPasswordHash(u, passwordStdin)
			if err != nil {
				return err
			}
			if err := st.SetPasswordHash(cmd.Context(), u.ID, hash, ""); err != nil {
				return err
			}
			_, err = fmt.Fprintf(termSafe{c.stdout}, "password of %s <%s> set; its sessions have ended\n", u.ID, u.Email)
			return err
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	return cmd
}

// updateUser applies upd to the user named by ref and prints the result.
func (c *cli) updateUser(ctx context.Context, dsn, ref string, upd tollgate.UserUpdate) error {
	st, err := c.openStore(dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := findUser(ctx, st, ref)
	if err != nil {
		return err
	}
	if upd.Roles != nil {
		org, err := st.FindOrgByID(ctx, u.OrgID)
		if err != nil {
			return err
		}
		if err := auth.CheckRoles(org.Kind, *upd.Roles); err != nil {
			return userFlagError(err)
		}
	}
	if u, err = st.UpdateUser(ctx, u.ID, upd); err != nil {
		return userFlagError(err)
	}
	_, err = fmt.Fprintf(termSafe{c.stdout}, "%s\t%s <%s>: %s, %s\n", u.ID, u.Name, u.Email, userState(u), roleList(u.Roles))
	return err
}

// findUser returns the user whose id or email is ref.
func findUser(ctx context.Context, st *store.DB, ref string) (*tollgate.User, error) {
	if strings.Contains(ref, "@") {
		return st.FindUserByEmail(ctx, ref)
	}
	return st.FindUserByID(ctx, ref)
}

// newPasswordHash reads a new password for u (from stdin's first line, or
// twice from the terminal), checks it against the password policy and
// returns its argon2id hash.
func (c *cli) newPasswordHash(u *tollgate.User, fromStdin bool) (string, error) {
	var pw string
	switch f, ok := c.stdin.(*os.File); {
	case fromStdin:
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", usageErrorf("--password-stdin: no password on stdin")
		}
		pw = strings.TrimRight(line, "\r\n")
	case ok && term.IsTerminal(int(f.Fd())):
		first, err := c.promptPassword(f, "New password for "+u.Email+": ")
		if err != nil {
			return "", err
		}
		again, err := c.promptPassword(f, "Again: ")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", usageErrorf("the two passwords differ")
		}
		pw = first
	default:
		return "", usageErrorf("--password-stdin: stdin is not a terminal; pass the password on stdin with --password-stdin")
	}
	if err := auth.DefaultPasswordPolicy().Check(pw, u.Email, u.Name); err != nil {
		return "", usageErrorf("%s", tollgate.ErrorMessage(err)) // "password: …"
	}
	return auth.HashPassword(pw, auth.DefaultPasswordParams(), nil)
}

// promptPassword reads a password from the terminal f without echo.
func (c *cli) promptPassword(f *os.File, prompt string) (string, error) {
	fmt.Fprint(c.stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}

// userFlagError turns a validation error about a user into a usage error
// naming the flag that sets the field.
func userFlagError(err error) error {
	te, ok := err.(*tollgate.Error)
	if !ok || te.Field == "" {
		return err
	}
	field, _, _ := strings.Cut(te.Field, "[")
	if flag, ok := map[string]string{"org_id": "--org", "email": "--email", "name": "--name", "roles": "--role"}[field]; ok {
		return usageErrorf("%s: %s", flag, te.Message)
	}
	return err
}

func toRoles(ss []string) []tollgate.Role {
	rs := make([]tollgate.Role, 0, len(ss))
	for _, s := range ss {
		rs = append(rs, tollgate.Role(strings.TrimSpace(s)))
	}
	return rs
}

func roleList(rs []tollgate.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func allRoles() string { return strings.ReplaceAll(roleList(tollgate.Roles), ",", ", ") }

func userState(u *tollgate.User) string {
	if u.Disabled {
		return "disabled"
	}
	return "enabled"
}
