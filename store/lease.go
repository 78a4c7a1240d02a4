package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tollgate"
)

// maxLeaseNameLen bounds lease, holder and job names.
const maxLeaseNameLen = 200

// Lease is the state of a named lease: who holds it and until when. A
// lease is how several replicas on one database elect the one that runs
// background work; Token grows by one each time the lease changes holder,
// so it orders the successive holders (a fencing token).
type Lease struct {
	Name       string
	Holder     string
	Token      int64
	AcquiredAt time.Time // when Holder took the lease
	ExpiresAt  time.Time // when it lapses unless renewed
}

// JobRun is one row of the job ledger: the run of job for one slot (the
// slot-th interval since the Unix epoch), by the holder of the scheduler's
// lease under Token. FinishedAt is zero while it runs, or when its process
// died before finishing it; Error is the failure it ended with, if any.
type JobRun struct {
	Job        string
	Slot       int64
	Holder     string
	Token      int64
	StartedAt  time.Time
	FinishedAt time.Time
	Error      string
}

// AcquireLease takes the lease name for holder, or renews it when holder
// already has it, until the transaction's time plus ttl. It succeeds (held
// is true) when the lease is free, lapsed, or already holder's, in one
// atomic conditional upsert, so of several callers racing for a free lease
// exactly one wins. Otherwise it returns the lease of its current holder
// with held false. Leases are timed by the store's clock, so replicas'
// clocks must agree to well within ttl.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (lease *Lease, held bool, err error) {
	if err := checkLeaseArgs(name, holder); err != nil {
		return nil, false, fmt.Errorf("store.AcquireLease: %w", err)
	}
	if ttl <= 0 {
		return nil, false, fmt.Errorf("store.AcquireLease: %w", tollgate.FieldErrorf("ttl", "must be positive, not %s", ttl))
	}
	err = db.updateUnaudited(ctx, func(tx *Tx) error {
		lease, held = &Lease{Name: name, Holder: holder}, true
		lease.ExpiresAt = tx.now.Add(ttl)
		err := tx.QueryRowContext(ctx, `INSERT INTO leases (name, holder, token, acquired_at, renewed_at, expires_at)
			VALUES (?, ?, 1, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET
				token = CASE WHEN leases.holder = excluded.holder THEN leases.token ELSE leases.token + 1 END,
				acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
				holder = excluded.holder,
				renewed_at = excluded.renewed_at,
				expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at
			RETURNING token, acquired_at`,
			name, holder, tx.Time(tx.now), tx.Time(tx.now), tx.Time(lease.ExpiresAt)).
			Scan(&lease.Token, timeColumn{&lease.AcquiredAt})
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Another holder's lease is in force: report it.
		held = false
		return tx.QueryRowContext(ctx, `SELECT holder, token, acquired_at, expires_at FROM leases WHERE name = ?`, name).
			Scan(&lease.Holder, &lease.Token, timeColumn{&lease.AcquiredAt}, timeColumn{&lease.ExpiresAt})
	})
	if err != nil {
		return nil, false, fmt.Errorf("store.AcquireLease: %w", err)
	}
	return lease, held, nil
}

// ReleaseLease gives up holder's lease name, making it lapse now so that
// another replica takes it at its next attempt. Releasing a lease holder
// does not hold is a no-op: it may have lapsed and passed on already.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := checkLeaseArgs(name, holder); err != nil {
		return fmt.Errorf("store.ReleaseLease: %w", err)
	}
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?`,
			tx.Time(tx.now), name, holder, tx.Time(tx.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store.ReleaseLease: %w", err)
	}
	return nil
}

// ClaimJobRun records that holder starts job's run for slot, and reports
// whether it may run it: only while holder holds the lease named lease,
// and only if no run of that slot was claimed before, by any holder. The
// ledger's key (job, slot) is what makes each slot run at most once even
// when two schedulers both believe they lead, say across a clock jump.
func (db *DB) ClaimJobRun(ctx context.Context, lease, holder, job string, slot int64) (claimed bool, err error) {
	if err := checkLeaseArgs(lease, holder); err != nil {
		return false, fmt.Errorf("store.ClaimJobRun: %w", err)
	}
	if job == "" || len(job) > maxLeaseNameLen {
		return false, fmt.Errorf("store.ClaimJobRun: %w", tollgate.FieldErrorf("job", "must be 1 to %d bytes", maxLeaseNameLen))
	}
	err = db.updateUnaudited(ctx, func(tx *Tx) error {
		claimed = false
		var token int64
		err := tx.QueryRowContext(ctx, `SELECT token FROM leases WHERE name = ? AND holder = ? AND expires_at > ?`+tx.d.forUpdate,
			lease, holder, tx.Time(tx.now)).Scan(&token)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the lease lapsed or passed on
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, slot, holder, token, started_at, error)
			VALUES (?, ?, ?, ?, ?, '') ON CONFLICT (job, slot) DO NOTHING`,
			job, slot, holder, token, tx.Time(tx.now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store.ClaimJobRun: %w", err)
	}
	return claimed, nil
}

// FinishJobRun records the end of holder's run of job for slot, with the
// error it failed with ("" for success). It is a no-op for a run holder
// did not claim or that is already finished.
func (db *DB) FinishJobRun(ctx context.Context, holder, job string, slot int64, runErr string) error {
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_runs SET finished_at = ?, error = ?
			WHERE job = ? AND slot = ? AND holder = ? AND finished_at IS NULL`,
			tx.Time(tx.now), runErr, job, slot, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("store.FinishJobRun: %w", err)
	}
	return nil
}

// JobRuns returns up to limit runs of job (of every job when job is ""),
// newest slot first; limit 0 means tollgate.DefaultPageLimit.
func (db *DB) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, fmt.Errorf("store.JobRuns: %w", err)
	}
	var runs []JobRun
	err = db.View(ctx, func(tx *Tx) error {
		runs = runs[:0]
		rows, err := tx.QueryContext(ctx, `SELECT job, slot, holder, token, started_at, finished_at, error FROM job_runs
			WHERE ? = '' OR job = ? ORDER BY slot DESC, job LIMIT ?`, job, job, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r JobRun
			if err := rows.Scan(&r.Job, &r.Slot, &r.Holder, &r.Token, timeColumn{&r.StartedAt}, timeColumn{&r.FinishedAt}, &r.Error); err != nil {
				return err
			}
			runs = append(runs, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store.JobRuns: %w", err)
	}
	return runs, nil
}

// PruneJobRuns deletes the ledger rows of runs started before cutoff and
// returns how many it deleted. Their slots lie in the past, so no
// scheduler would claim them again unless its clock fell back that far.
func (db *DB) PruneJobRuns(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.updateUnaudited(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM job_runs WHERE started_at < ?`, tx.Time(cutoff))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store.PruneJobRuns: %w", err)
	}
	return n, nil
}

// checkLeaseArgs checks a lease's name and holder.
func checkLeaseArgs(name, holder string) error {
	switch {
	case name == "" || len(name) > maxLeaseNameLen:
		return tollgate.FieldErrorf("lease", "must be 1 to %d bytes", maxLeaseNameLen)
	case holder == "" || len(holder) > maxLeaseNameLen:
		return tollgate.FieldErrorf("holder", "must be 1 to %d bytes", maxLeaseNameLen)
	}
	return nil
}
