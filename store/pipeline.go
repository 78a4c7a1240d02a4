package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelines. What a group's transaction holds back (staged reservations,
// counter changes) is written just before it commits, by statements whose
// results nothing waits for but their own checks. On PostgreSQL each of
// them would cost a round trip in the serial chain of audited
// transactions, where a loaded server's round trips cost more than the
// statements; so a write transaction there runs on a connection of its
// own (Tx.conn), and Tx.pipeline sends such statements together as one
// pgx batch: one round trip, the statements still run one after the other
// and the first failure ends the batch (and aborts the transaction, as
// the statement alone would have). Elsewhere the statements run one by
// one, with the same checks.

// pipeStmt is a statement of a pipeline: a query with ? placeholders and
// its arguments, and what its outcome means.
type pipeStmt struct {
	query string
	args  []any
	// check maps an exec's outcome (rows affected, error) to the
	// statement's error; nil takes the error as it is.
	check func(rows int64, err error) error
	// scan reads a query's rows; nil makes the statement an exec.
	scan func(rows rowScanner) error
}

// rowScanner is what *sql.Rows and pgx.Rows have in common.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// pipeline runs stmts in order in tx and returns the first failure; the
// statements after a failure do not run. See above.
func (tx *Tx) pipeline(ctx context.Context, stmts []pipeStmt) error {
	ctx = tx.detached(ctx)
	for _, s := range stmts {
		if s.scan == nil {
			tx.wrote = true
		}
	}
	if tx.conn == nil || len(stmts) < 2 {
		for _, s := range stmts {
			if err := tx.runPiped(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
	return tx.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline on a %T, not a pgx connection", driverConn)
		}
		var b pgx.Batch
		for _, s := range stmts {
			b.Queue(tx.d.rebind(s.query), s.args...)
		}
		results := c.Conn().SendBatch(ctx, &b)
		err := readBatch(results, stmts)
		if cerr := results.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// readBatch reads the outcome of each statement of a batch in turn, and
// returns the first failure.
func readBatch(results pgx.BatchResults, stmts []pipeStmt) error {
	for _, s := range stmts {
		if s.scan != nil {
			rows, err := results.Query()
			if err == nil {
				err = s.scan(rows)
				rows.Close()
				if err == nil {
					err = rows.Err()
				}
			}
			if err != nil {
				return err
			}
			continue
		}
		tag, err := results.Exec()
		if err := s.outcome(tag.RowsAffected(), err); err != nil {
			return err
		}
	}
	return nil
}

// runPiped runs one statement of a pipeline on its own.
func (tx *Tx) runPiped(ctx context.Context, s pipeStmt) error {
	if s.scan != nil {
		rows, err := tx.queryRaw(ctx, s.query, s.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := s.scan(rows); err != nil {
			return err
		}
		return rows.Err()
	}
	var n int64
	res, err := tx.execRaw(ctx, s.query, s.args...)
	if err == nil {
		n, err = res.RowsAffected()
	}
	return s.outcome(n, err)
}

// outcome is the error of an exec that affected rows rows and failed with
// err.
func (s pipeStmt) outcome(rows int64, err error) error {
	if s.check != nil {
		return s.check(rows, err)
	}
	return err
}

// txConn is a transaction with, on PostgreSQL's write transactions, the
// connection it holds for pipelines: ending the transaction returns the
// connection to the pool.
type txConn struct {
	*sql.Tx
	conn *sql.Conn // nil: the transaction runs on a pool's connection
}

// Commit commits the transaction and releases its connection.
func (t *txConn) Commit() error {
	err := t.Tx.Commit()
	t.release()
	return err
}

// Rollback rolls the transaction back and releases its connection.
func (t *txConn) Rollback() error {
	err := t.Tx.Rollback()
	t.release()
	return err
}

func (t *txConn) release() {
	if t.conn != nil {
		t.conn.Close()
		t.conn = nil
	}
}
