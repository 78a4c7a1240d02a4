package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
)

// Batch sizes of the audit log's multi-row statements on SQLite, within
// its limit on bound parameters (PostgreSQL's statement takes arrays).
const (
	auditRecordBatch = 400  // 9 parameters a row
	auditHashBatch   = 2000 // 2 parameters a row
	auditReadBatch   = 500  // hash indexes per SELECT … IN
)

// auditTx is the audit log's storage inside one transaction: the
// auditlog.TxStore of the use case whose change is logged.
type auditTx struct{ tx *Tx }

var _ auditlog.TxStore = auditTx{}

// LockSize implements auditlog.TxStore. It reads the one-row audit_size
// table: PostgreSQL locks the row (SELECT … FOR UPDATE) until the
// transaction ends, so appends from every replica serialise; SQLite
// transactions that write begin IMMEDIATE and hold the database's one write
// lock already.
//
// On PostgreSQL the same statement reads the hashes an append at the size
// this process last left the log at needs (its frontier), so that the
// append that follows reads none: one round trip fewer in the serial chain
// of audited transactions. When another process appended since, the
// frontier lies elsewhere and the append reads it itself (ReadHashes).
func (a auditTx) LockSize(ctx context.Context) (int64, error) {
	tx := a.tx
	if tx.sizeLocked {
		return tx.lockedSize, nil // read by sizeStmt, in this transaction's pipeline
	}
	if tx.d != postgresDialect || tx.auditSize == nil {
		var size int64
		err := tx.QueryRowContext(ctx, `SELECT size FROM audit_size WHERE id = 1`+tx.d.forUpdate).Scan(&size)
		if err != nil {
			return 0, fmt.Errorf("lock audit log size: %w", err)
		}
		return size, nil
	}
	if err := tx.pipeline(ctx, []pipeStmt{tx.sizeStmt()}); err != nil {
		return 0, err
	}
	return tx.lockedSize, nil
}

// sizeStmt is LockSize's statement on PostgreSQL: it locks the size and
// reads it, with the frontier of the size this process last left the log
// at, into tx.
func (tx *Tx) sizeStmt() pipeStmt {
	guess := tx.auditSize.Load()
	return pipeStmt{query: `SELECT s.size, h.idx, h.hash FROM audit_size s
		LEFT JOIN audit_hashes h ON h.idx = ANY(CAST(? AS BIGINT[])) WHERE s.id = 1 FOR UPDATE OF s`,
		args: []any{auditlog.FrontierIndexes(guess)},
		scan: func(rows rowScanner) error {
			size, frontier := int64(-1), map[int64]tlog.Hash{}
			for rows.Next() {
				var (
					idx  sql.NullInt64
					hash []byte
				)
				if err := rows.Scan(&size, &idx, &hash); err != nil {
					return fmt.Errorf("lock audit log size: %w", err)
				}
				if idx.Valid && len(hash) == len(tlog.Hash{}) {
					frontier[idx.Int64] = tlog.Hash(hash)
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("lock audit log size: %w", err)
			}
			if size < 0 {
				return fmt.Errorf("lock audit log size: no size row")
			}
			// Read under the lock: right whatever the size.
			tx.lockedSize, tx.sizeLocked, tx.frontier = size, true, frontier
			return nil
		}}
}

// commitStmts returns the statements a group's transaction runs just
// before its commit, in one pipeline: what it holds back, and on
// PostgreSQL, when it has audit records to append, the lock and read of
// the audit log's size (sizeStmt), so that the append that follows needs
// no round trip of its own for it.
func (tx *Tx) commitStmts() []pipeStmt {
	stmts := tx.heldBack()
	if tx.d == postgresDialect && tx.auditSize != nil && len(tx.audit) > 0 {
		stmts = append(stmts, tx.sizeStmt())
	}
	return stmts
}

// ReadHashes implements auditlog.HashReader inside the transaction: from
// what LockSize read, when it holds them all.
func (a auditTx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if f := a.tx.frontier; f != nil {
		out := make([]tlog.Hash, len(indexes))
		all := true
		for i, x := range indexes {
			h, ok := f[x]
			out[i], all = h, all && ok
		}
		if all {
			return out, nil
		}
	}
	return readHashes(ctx, a.tx, indexes)
}

// AppendEntries implements auditlog.TxStore: it inserts the records with
// their canonical bytes unchanged, the hashes at start, start+1, …, and
// advances the size.
func (a auditTx) AppendEntries(ctx context.Context, entries []auditlog.Entry, start int64, hashes []tlog.Hash) error {
	if len(entries) == 0 {
		return nil
	}
	tx := a.tx
	if tx.d == postgresDialect {
		if err := a.appendOneStatement(ctx, entries, start, hashes); err != nil {
			return err
		}
		tx.frontier, tx.sizeLocked = nil, false
		if tx.auditSize != nil {
			tx.auditSize.Store(entries[len(entries)-1].Record.Seq + 1)
		}
		return nil
	}
	for batch := range slices.Chunk(entries, auditRecordBatch) {
		args := make([]any, 0, 9*len(batch))
		for _, e := range batch {
			r := &e.Record
			args = append(args, r.Seq, tx.Time(r.Time), r.Action, r.ObjectType, r.ObjectID,
				r.Actor.UserID, r.Actor.OrgID, r.Actor.TokenID, e.Canonical)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_records
			(seq, time, action, object_type, object_id, user_id, org_id, token_id, canonical)
			VALUES `+placeholders(len(batch), 9), args...)
		if err != nil {
			return fmt.Errorf("insert audit records: %w", err)
		}
	}
	for i, batch := 0, hashes; len(batch) > 0; i++ {
		n := min(len(batch), auditHashBatch)
		args := make([]any, 0, 2*n)
		for j, h := range batch[:n] {
			args = append(args, start+int64(i*auditHashBatch+j), h[:])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (idx, hash) VALUES `+placeholders(n, 2), args...); err != nil {
			return fmt.Errorf("insert audit hashes: %w", err)
		}
		batch = batch[n:]
	}
	if err := a.keepObjects(ctx); err != nil {
		return err
	}
	last := entries[len(entries)-1].Record.Seq
	res, err := tx.ExecContext(ctx, `UPDATE audit_size SET size = ? WHERE id = 1 AND size = ?`, last+1, entries[0].Record.Seq)
	if err != nil {
		return fmt.Errorf("advance audit log size: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("advance audit log size: the size moved under the lock (%d rows, %v)", n, err)
	}
	return nil
}

// appendOneStatement is AppendEntries on PostgreSQL in one round trip: the
// records, the hashes, the recorded objects (keepObjects) and the size in
// one statement whose inserts are
// data-modifying WITH clauses. A group transaction appends once per
// commit, and on a loaded server each round trip of its serial chain
// costs more than the statement. The rows go as one array a column, so
// that the statement's text is the same however many rows it inserts:
// prepared once per connection, and in a keyed transaction (keyed.go)
// planned once.
func (a auditTx) appendOneStatement(ctx context.Context, entries []auditlog.Entry, start int64, hashes []tlog.Hash) error {
	n := len(entries)
	var (
		seqs                                                       = make([]int64, n)
		times                                                      = make([]time.Time, n)
		actions, objectTypes, objectIDs, userIDs, orgIDs, tokenIDs = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		canonical                                                  = make([][]byte, n)
		idxs                                                       = make([]int64, len(hashes))
		hashBytes                                                  = make([][]byte, len(hashes))
	)
	for i, e := range entries {
		r := &e.Record
		seqs[i], times[i], actions[i], objectTypes[i], objectIDs[i] = r.Seq, r.Time.UTC(), r.Action, r.ObjectType, r.ObjectID
		userIDs[i], orgIDs[i], tokenIDs[i], canonical[i] = r.Actor.UserID, r.Actor.OrgID, r.Actor.TokenID, e.Canonical
	}
	for j, h := range hashes {
		idxs[j], hashBytes[j] = start+int64(j), h[:]
	}
	objs := a.tx.objects
	a.tx.objects = nil
	objTypes, objIDs, bodies := make([]string, len(objs)), make([]string, len(objs)), make([][]byte, len(objs))
	for i, o := range objs {
		objTypes[i], objIDs[i], bodies[i] = o.objectType, o.objectID, o.body
	}
	last := entries[n-1].Record.Seq
	res, err := a.tx.ExecContext(ctx, `WITH records AS (INSERT INTO audit_records
		(seq, time, action, object_type, object_id, user_id, org_id, token_id, canonical)
		SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TIMESTAMPTZ[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
			CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BYTEA[]))),
		hashes AS (INSERT INTO audit_hashes (idx, hash) SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BYTEA[]))),
		objects AS (INSERT INTO audit_objects (object_type, object_id, body)
			SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BYTEA[]))
			ON CONFLICT (object_type, object_id) DO UPDATE SET body = excluded.body)
		UPDATE audit_size SET size = ? WHERE id = 1 AND size = ?`,
		seqs, times, actions, objectTypes, objectIDs, userIDs, orgIDs, tokenIDs, canonical, idxs, hashBytes,
		objTypes, objIDs, bodies, last+1, entries[0].Record.Seq)
	if err != nil {
		return fmt.Errorf("append audit records: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("advance audit log size: the size moved under the lock (%d rows, %v)", n, err)
	}
	return nil
}

// readHashes reads stored hashes of the audit log by index, in the order
// asked, with one query per auditReadBatch distinct indexes.
func readHashes(ctx context.Context, tx *Tx, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	want := slices.Clone(indexes)
	slices.Sort(want)
	want = slices.Compact(want)
	found := make(map[int64]tlog.Hash, len(want))
	for batch := range slices.Chunk(want, auditReadBatch) {
		args := make([]any, len(batch))
		for i, x := range batch {
			args[i] = x
		}
		q := `SELECT idx, hash FROM audit_hashes WHERE idx IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ") + `)`
		if err := scanHashes(ctx, tx, q, args, found); err != nil {
			return nil, err
		}
	}
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("read audit hashes: no stored hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

// scanHashes runs q, which selects (idx, hash) rows, into found.
func scanHashes(ctx context.Context, tx *Tx, q string, args []any, found map[int64]tlog.Hash) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read audit hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			idx int64
			b   []byte
		)
		if err := rows.Scan(&idx, &b); err != nil {
			return fmt.Errorf("read audit hashes: %w", err)
		}
		if len(b) != tlog.HashSize {
			return fmt.Errorf("read audit hashes: hash %d has %d bytes", idx, len(b))
		}
		found[idx] = tlog.Hash(b)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit hashes: %w", err)
	}
	return nil
}

// auditObjectBatch is how many audit_objects rows one SQLite statement
// writes (3 parameters a row).
const auditObjectBatch = 300

// keepObjects writes the recorded states of the records being appended
// (Tx.objects) to audit_objects on SQLite; PostgreSQL's append writes them
// in its one statement.
func (a auditTx) keepObjects(ctx context.Context) error {
	objs := a.tx.objects
	a.tx.objects = nil
	for batch := range slices.Chunk(objs, auditObjectBatch) {
		args := make([]any, 0, 3*len(batch))
		for _, o := range batch {
			args = append(args, o.objectType, o.objectID, o.body)
		}
		_, err := a.tx.ExecContext(ctx, `INSERT INTO audit_objects (object_type, object_id, body) VALUES `+
			placeholders(len(batch), 3)+` ON CONFLICT (object_type, object_id) DO UPDATE SET body = excluded.body`, args...)
		if err != nil {
			return fmt.Errorf("keep audited objects: %w", err)
		}
	}
	return nil
}
