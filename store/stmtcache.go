package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStmts bounds the statement cache; queries built with a varying
// number of placeholders beyond it are prepared each time, as before.
const maxCachedStmts = 512

// stmtCache keeps the statements run on one of SQLite's pools prepared.
// modernc's SQLite prepares a statement for every call made through
// database/sql, and parsing was about a third of a write transaction's CPU
// time and a fifth of a reservation's reads; a *sql.Stmt prepared on a
// pool is reused by every transaction on that pool (sql.Tx.StmtContext),
// prepared once on each connection that runs it.
//
// The writer pool has a single connection, which a transaction holds: a
// statement first seen inside one is run plainly and noted, and prepared
// once that transaction has ended (prepareNoted), when the connection is
// free again. The read pool does the same, so that preparing never waits
// for a connection while the caller holds one.
type stmtCache struct {
	pool  *sql.DB
	mu    sync.Mutex
	m     map[string]*sql.Stmt
	noted map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, noted: map[string]bool{}}
}

// get returns the prepared statement for query, or nil (noting query to be
// prepared) when there is none yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m)+len(c.noted) < maxCachedStmts {
		c.noted[query] = true
	}
	return nil
}

// prepareNoted prepares the statements get noted. It must be called with
// no transaction open on the pool. A statement that fails to prepare is
// dropped: it keeps running unprepared.
func (c *stmtCache) prepareNoted(ctx context.Context) {
	c.mu.Lock()
	var qs []string
	for q := range c.noted {
		qs = append(qs, q)
		delete(c.noted, q)
	}
	c.mu.Unlock()
	// Prepare without holding mu: a transaction that took the connection
	// meanwhile calls get, and PrepareContext waits for that connection.
	for _, q := range qs {
		st, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.m[q]; dup {
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

// close closes every cached statement.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}
