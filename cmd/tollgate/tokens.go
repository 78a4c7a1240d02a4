package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/api"
	"tollgate/auth"
)

func newTokensCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "Create, list and revoke users' API tokens",
		Long: `tokens creates an API token for a user, lists a user's tokens and revokes one.
A token acts as its user with the user's current roles. Its secret is never
stored — only its SHA-256 — so it is shown once, by "tokens create", and never
again. Like "tollgate users", these commands work on the store directly. USER
is a user's id or email.`,
		Example: `  tollgate tokens create ada@nvidia.example --name "CI deploys" --ttl 720h
  tollgate tokens list ada@nvidia.example
  tollgate tokens revoke TOKEN_ID`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTokensCreateCmd(c), newTokensListCmd(c), newTokensRevokeCmd(c))
	return cmd
}

func newTokensListCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list USER",
		Short: "List a user's API tokens, newest first, without their secrets",
		Example: `  tollgate tokens list ada@nvidia.example
  tollgate tokens list ada@nvidia.example --json`,
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
			ts, err := st.FindTokens(cmd.Context(), u.ID)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, ts)
			}
			now := c.now()
			tw := newTable(c.stdout, 0, 4, 2)
			fmt.Fprintln(tw, "ID\tSTATE\tCREATED\tEXPIRES\tLAST USED\tNAME")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, tokenState(t, now), day(t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), t.Name)
			}
			return tw.Flush()
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newTokensCreateCmd(c *cli) *cobra.Command {
	var (
		db     string
		name   string
		ttl    time.Duration
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "create USER",
		Short: "Create an API token for a user and print its secret, once",
		Long: `create makes an API token that acts as USER (its id or email) with the user's
roles, and prints its secret on the last line of output (or in "secret" with
--json). Store it then: it is not kept anywhere and cannot be shown again.
Send it as "Authorization: Bearer <secret>".`,
		Example: `  tollgate tokens create ada@nvidia.example --name "CI deploys"
  tollgate tokens create ada@nvidia.example --name "one-off export" --ttl 24h --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := auth.DefaultTokenConfig()
			if ttl < 0 || ttl > cfg.MaxTTL {
				return usageErrorf("--ttl: want a positive duration of at most %s, not %s", cfg.MaxTTL, ttl)
			}
			if name == "" || len(name) > auth.MaxTokenNameLen {
				return usageErrorf("--name: say what the token is for, in 1 to %d bytes", auth.MaxTokenNameLen)
			}
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			secret, tok, err := auth.IssueToken(cfg, nil, u, name, ttl, c.now())
			if err != nil {
				return err
			}
			if err := st.CreateToken(cmd.Context(), tok); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.stdout, api.NewToken{Token: tok, Secret: secret.Reveal()})
			}
			_, err = fmt.Fprintf(c.stdout, "token %s for %s, expires %s; its secret, shown this once:\n%s\n",
				tok.ID, u.Email, day(tok.ExpiresAt), secret.Reveal())
			return err
		},
	}
	addDBFlag(cmd, &db)
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "what the token is for (required)")
	f.DurationVar(&ttl, "ttl", 0, fmt.Sprintf("lifetime; 0 means %s, at most %s", auth.DefaultTokenConfig().DefaultTTL, auth.DefaultTokenConfig().MaxTTL))
	f.BoolVar(&asJSON, "json", false, "print JSON, the secret in \"secret\"")
	return cmd
}

func newTokensRevokeCmd(c *cli) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:     "revoke TOKEN_ID",
		Short:   "Revoke an API token at once",
		Example: `  tollgate tokens revoke 0192f1e2-7c1a-7d3e-9b1f-2a4c6e8f0a12`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := c.openStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeToken(cmd.Context(), args[0]); err != nil {
				return err
			}
			tok, err := st.FindTokenByID(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(termSafe{c.stdout}, "token %s (%s) revoked at %s\n", tok.ID, tok.Name, tok.RevokedAt.Format(time.RFC3339))
			return err
		},
	}
	addDBFlag(cmd, &db)
	return cmd
}

// tokenState says whether t works at now.
func tokenState(t *tollgate.Token, now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked"
	case t.Usable(now) != nil:
		return "expired"
	}
	return "active"
}

// day renders t as a date, or "-" for the zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}
