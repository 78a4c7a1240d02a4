package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestPipeline checks that a pipeline's statements run in order, each
// seeing the ones before it, that each exec's check gets its rows
// affected and a query's scan its rows, and that the first failure ends
// the pipeline: the statements after it do not run.
func TestPipeline(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var (
			affected []int64
			sum      int
		)
		count := func(n int64, err error) error { affected = append(affected, n); return err }
		err := db.Update(ctx, func(tx *Tx) error {
			if (tx.conn != nil) != (db.d == postgresDialect) {
				t.Errorf("%s write transaction holds a connection of its own: %v", db.d.name, tx.conn != nil)
			}
			return tx.pipeline(ctx, []pipeStmt{
				{query: `INSERT INTO group_test_rows (id, n) VALUES (?, ?), (?, ?)`, args: []any{1, 1, 2, 2}, check: count},
				{query: `UPDATE group_test_rows SET n = n + 10 WHERE id IN (?, ?, ?)`, args: []any{1, 2, 3}, check: count},
				{query: `SELECT n FROM group_test_rows ORDER BY id`, scan: func(rows rowScanner) error {
					for rows.Next() {
						var n int
						if err := rows.Scan(&n); err != nil {
							return err
						}
						sum += n
					}
					return nil
				}},
				{query: `DELETE FROM group_test_rows WHERE id = ?`, args: []any{9}, check: count},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{2, 2, 0}; !slices.Equal(affected, want) {
			t.Errorf("rows affected %v, want %v", affected, want)
		}
		if sum != 23 {
			t.Errorf("the query saw a sum of %d, want 23 (the rows as the statements before it left them)", sum)
		}

		refused := errors.New("refused")
		affected = nil
		err = db.Update(ctx, func(tx *Tx) error {
			return tx.pipeline(ctx, []pipeStmt{
				{query: `INSERT INTO group_test_rows (id, n) VALUES (?, ?)`, args: []any{3, 3}, check: count},
				{query: `UPDATE group_test_rows SET n = n - 100 WHERE id = ?`, args: []any{3}, check: func(n int64, err error) error {
					if isCheckViolation(err) {
						return refused
					}
					return errors.Join(err, errors.New("no CHECK violation"))
				}},
				{query: `INSERT INTO group_test_rows (id, n) VALUES (?, ?)`, args: []any{4, 4}, check: count},
			})
		})
		if !errors.Is(err, refused) {
			t.Errorf("a pipeline whose second statement breaks a CHECK: %v, want the check's error", err)
		}
		if want := []int64{1}; !slices.Equal(affected, want) {
			t.Errorf("checks run %v, want only the first statement's %v", affected, want)
		}
		if got := rowIDs(t, db); !slices.Equal(got, []int{1, 2}) {
			t.Errorf("rows %v after the failed transaction, want [1 2]", got)
		}
	})
}

// TestPipelineConnectionsReturn checks that write transactions give their
// own connection back to the pool whether they commit or roll back: many
// more of them than the pool holds all run.
func TestPipelineConnectionsReturn(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		if err := db.SetMaxConns(2); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		failed := errors.New("failed")
		for i := range 20 {
			err := db.Update(ctx, func(tx *Tx) error {
				if err := tx.pipeline(ctx, []pipeStmt{{query: `INSERT INTO group_test_rows (id, n) VALUES (?, ?)`, args: []any{100 + i, 1}}}); err != nil {
					return err
				}
				if i%2 == 1 {
					return failed
				}
				return nil
			})
			if err != nil && !errors.Is(err, failed) {
				t.Fatalf("transaction %d: %v", i, err)
			}
		}
		if got := len(rowIDs(t, db)); got != 10 {
			t.Errorf("%d rows, want the 10 committed", got)
		}
	})
}
