package store

import "context"

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
