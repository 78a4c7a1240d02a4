package store

import (
	"context"
	"errors"
	"fmt"
)

// queryAll runs q in tx and scans every row with scan, in order. It is the
// one loop over *sql.Rows the list methods share.
func queryAll[T any](ctx context.Context, tx *Tx, scan func(scanner) (*T, error), q string, args ...any) ([]*T, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// values returns the values ps point to.
func values[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// findPage returns a page of the records that query (SELECT … FROM table)
// selects with filter's clause, oldest first, scanned by scan, and the next
// page's cursor; columns maps filter's fields to the table's columns, id
// gives a record's cursor, and then, when not nil, completes the page's
// records in the same transaction. It is what the shipping Find… lists
// share; op names the caller in errors.
func findPage[T any](ctx context.Context, db *DB, op string, filter ShippingFilter, columns map[string]string,
	query string, scan func(scanner) (*T, error), id func(*T) string, then func(tx *Tx, page []*T) error) ([]*T, string, error) {
	var (
		out  []*T
		next string
	)
	err := db.View(ctx, func(tx *Tx) error {
		tail, args, limit, err := filter.where(columns)
		if err != nil {
			return err
		}
		if out, err = queryAll(ctx, tx, scan, query+tail, args...); err != nil {
			return err
		}
		out, next = page(out, limit, id)
		if then != nil {
			return then(tx, out)
		}
		return nil
	})
	if errors.Is(err, errNoMatch) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	return out, next, nil
}
