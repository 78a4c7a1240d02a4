package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Keyed transactions. PostgreSQL plans a statement either for its
// arguments each time it runs (a custom plan) or once per connection (a
// generic plan, kept with the prepared statement). tollgate's sessions
// plan every statement each time (withCustomPlans): a generic plan made
// while a table was small (a scan of it) stays in a pooled connection's
// cache as the table grows by orders of magnitude. But planning is a third
// of the server's work on the hot paths, whose statements are small and
// many, and whose plans never depend on their arguments: they find rows by
// key (a primary or unique key, or the leading columns of an index, with
// equality), and write rows by key.
//
// A keyed transaction is one whose statements all do that. On PostgreSQL
// it runs with SET LOCAL plan_cache_mode = auto, so that its statements
// are planned once per connection, and enable_seqscan = off, so that the
// planner takes the index a keyed lookup has over a scan of the table,
// however small the table was when the plan was made (the scan a keyed
// lookup on a growing table must never keep; a table without such an
// index would still be scanned); the foreign-key checks of its inserts are
// planned the same way.
// A statement of a keyed transaction whose plan does depend on its
// arguments (a lookup of many serial numbers, a range of expiry times)
// passes its arguments through Tx.planEach, which has it planned for its
// arguments each time.
//
// Settings are the transaction's own (SET LOCAL): the other transactions
// on the same connection plan each statement each time, and never use a
// plan a keyed transaction made. On SQLite, which plans each statement
// once per prepared statement anyway, a keyed transaction is an ordinary
// one.
const keyedSettings = "SET LOCAL plan_cache_mode = auto; SET LOCAL enable_seqscan = off"

// ViewKeyed is View for a read whose every statement finds rows by key
// (see above): on PostgreSQL its statements are planned once per
// connection.
func (db *DB) ViewKeyed(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, modeReadKeyed, fn)
}

// UpdateLockedKeyed is UpdateLocked for a function whose every statement
// finds and writes rows by key (see above). Its group's transaction is
// keyed when every function of the group is.
func (db *DB) UpdateLockedKeyed(ctx context.Context, fn func(tx *Tx) error) error {
	if db.ambient(ctx) != nil {
		return db.Update(ctx, fn)
	}
	return db.updateGroupedKeyed(ctx, fn, true)
}

// planEach returns the arguments of a statement of tx whose plan depends
// on them: in a keyed transaction on PostgreSQL, marked to have the
// statement planned for them each time it runs (pgx's exec mode, which
// does not prepare it).
func (tx *Tx) planEach(args []any) []any {
	if !tx.keyed || tx.d != postgresDialect {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}
