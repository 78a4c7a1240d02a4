package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/store"
)

// dbFlagUsage is the help text of every command's --db flag.
const dbFlagUsage = "store: sqlite:PATH or a postgres:// URL (env TOLLGATE_DB, default sqlite:<data dir>/tollgate.db)"

// addDBFlag registers the --db flag on cmd, storing its value in dsn.
func addDBFlag(cmd *cobra.Command, dsn *string) {
	cmd.Flags().StringVar(dsn, "db", "", dbFlagUsage)
}

// storeDSN resolves which store to use: the --db flag's value, else
// $TOLLGATE_DB, else a SQLite file tollgate.db in the data directory. It
// names the setting the DSN came from, for error messages.
func (c *cli) storeDSN(flag string) (dsn, from string, err error) {
	if flag != "" {
		return flag, "--db", nil
	}
	if env := c.getenv("TOLLGATE_DB"); env != "" {
		return env, "TOLLGATE_DB", nil
	}
	path, err := c.defaultStorePath()
	if err != nil {
		return "", "", err
	}
	return "sqlite:" + path, "the default store", nil
}

// defaultStorePath returns the path of the default store, tollgate.db in
// the data directory. Every command uses it without --db or TOLLGATE_DB,
// the demo included, so that the store the demo leaves behind is the one
// the next command reads.
func (c *cli) defaultStorePath() (string, error) {
	dir, err := c.dataDir()
	if err != nil {
		return "", tollgate.Errorf(tollgate.EUNAVAILABLE, "cannot create the data directory for the default store (set --db or TOLLGATE_DB): %v", err)
	}
	return filepath.Join(dir, "tollgate.db"), nil
}

// openStore opens the store named by dsn (see storeDSN for the default),
// creating and migrating it on first use. A malformed DSN is a usage error
// naming --db or TOLLGATE_DB.
func (c *cli) openStore(dsn string) (*store.DB, error) {
	dsn, from, err := c.storeDSN(dsn)
	if err != nil {
		return nil, err
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	db, err := store.Open(ctx, dsn, c.now)
	if err != nil {
		var te *tollgate.Error
		if errors.As(err, &te) && te.Code == tollgate.EINVALID {
			return nil, usageErrorf("%s: %s", from, te.Message)
		}
		return nil, err
	}
	db.Actor = c.localPrincipal() // names the local user in audit records
	return db, nil
}
