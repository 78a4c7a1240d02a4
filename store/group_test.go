package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/internal/testenv"
)

// groupBackends runs f on a fresh SQLite database and, with
// TOLLGATE_TEST_POSTGRES set, on a fresh PostgreSQL schema; each holds the
// scratch table group_test_rows.
func groupBackends(t *testing.T, f func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		f(t, openGroupDB(t, "sqlite:"+filepath.Join(t.TempDir(), "t.db")))
	})
	t.Run("postgres", func(t *testing.T) { f(t, openGroupDB(t, testenv.PostgresSchema(t, "tollgate_group_test_"))) })
}

func openGroupDB(t *testing.T, dsn string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE group_test_rows (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))"); err != nil {
		t.Fatalf("create the scratch table: %v", err)
	}
	return db
}

func auditSize(t *testing.T, db *DB) int64 {
	t.Helper()
	n, err := db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rowIDs returns the ids of the scratch table's rows above 0, in order.
func rowIDs(t *testing.T, db *DB) []int {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), "SELECT id FROM group_test_rows WHERE id > 0 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// insert returns a function that inserts row (id, n) with its audit record
// and then returns fail; seen, when not nil, receives how many rows it saw
// before its insert.
func insert(id, n int, fail error, seen *int) func(tx *Tx) error {
	return func(tx *Tx) error {
		ctx := context.Background()
		var count int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_test_rows").Scan(&count); err != nil {
			return err
		}
		if seen != nil {
			*seen = count
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO group_test_rows (id, n) VALUES (?, ?)", id, n); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "test.insert", "row", strconv.Itoa(id), nil, map[string]any{"n": n}); err != nil {
			return err
		}
		return fail
	}
}

// heldCall is one caller of runHeld; a nil ctx is context.Background().
type heldCall struct {
	ctx context.Context
	fn  func(tx *Tx) error
}

// heldResult is what one heldCall's caller got, and what its function saw
// in its last run.
type heldResult struct {
	err  error
	pnc  any
	tx   *Tx // the transaction of fn's last run
	runs int
}

// runHeld makes calls one group, queued in their order: a first caller
// holds the lead inside its function until all of them have queued behind
// it, so that the next leader takes them all into one transaction.
// whileHeld, when not nil, runs once they are all queued.
func runHeld(t *testing.T, db *DB, whileHeld func(), calls ...heldCall) []heldResult {
	t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	var enter sync.Once
	leader := make(chan error, 1)
	go func() {
		leader <- db.UpdateLocked(context.Background(), func(tx *Tx) error {
			enter.Do(func() { close(entered) })
			<-release
			return nil
		})
	}()
	<-entered
	res := make([]heldResult, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		r := &res[i]
		ctx := c.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		wg.Go(func() {
			defer func() { r.pnc = recover() }()
			r.err = db.UpdateLocked(ctx, func(tx *Tx) error {
				r.tx, r.runs = tx, r.runs+1
				return c.fn(tx)
			})
		})
		waitQueued(db, i+1)
	}
	if whileHeld != nil {
		whileHeld()
	}
	close(release)
	wg.Wait()
	if err := <-leader; err != nil {
		t.Fatalf("the leader holding the lead: %v", err)
	}
	return res
}

// waitQueued waits until n callers wait in db's group queue.
func waitQueued(db *DB, n int) {
	for {
		q := db.group.Queued()
		if q >= n {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// TestGroupConcurrentIncrements has many callers increment one counter:
// every call counts exactly once, with its audit record, and callers did
// share transactions.
func TestGroupConcurrentIncrements(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.write.ExecContext(ctx, "INSERT INTO group_test_rows (id, n) VALUES (0, 0)"); err != nil {
			t.Fatal(err)
		}
		const workers, each, bursts = 32, 20, 5
		audit0, total := auditSize(t, db), 0
		for burst := 1; ; burst++ {
			var txs sync.Map
			start := make(chan struct{})
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					<-start
					for range each {
						err := db.UpdateLocked(ctx, func(tx *Tx) error {
							txs.Store(tx, true)
							if _, err := tx.ExecContext(ctx, "UPDATE group_test_rows SET n = n + 1 WHERE id = ?", 0); err != nil {
								return err
							}
							return tx.Audit(ctx, "test.increment", "counter", "0", nil, nil)
						})
						if err != nil {
							t.Errorf("UpdateLocked: %v", err)
							return
						}
					}
				})
			}
			close(start)
			wg.Wait()
			if t.Failed() {
				return
			}
			total += workers * each
			var n int
			if err := db.read.QueryRowContext(ctx, "SELECT n FROM group_test_rows WHERE id = 0").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != total {
				t.Fatalf("counter = %d after %d increments", n, total)
			}
			if got := auditSize(t, db) - audit0; got != int64(total) {
				t.Fatalf("%d audit records for %d increments", got, total)
			}
			distinct := 0
			txs.Range(func(any, any) bool { distinct++; return true })
			if distinct < workers*each {
				t.Logf("burst %d: %d calls in %d transactions", burst, workers*each, distinct)
				return
			}
			if burst == bursts {
				t.Fatalf("%d bursts of %d calls never shared a transaction", bursts, workers*each)
			}
		}
	})
}

// TestGroupFailures puts a function that fails, panics or is cancelled
// between two that succeed in one group: its caller gets its outcome, and
// nothing of it (neither rows nor audit records) is left, while the others
// commit in one transaction, the last seeing only the first's row. A
// failure for concurrency (PostgreSQL) instead runs the group again.
func TestGroupFailures(t *testing.T) {
	errRefused := errors.New("refused")
	refuse := func(tx *Tx) error { // reads and audits, but writes nothing
		var n int
		if err := tx.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM group_test_rows").Scan(&n); err != nil {
			return err
		}
		if err := tx.Audit(context.Background(), "test.refused", "row", "2", nil, nil); err != nil {
			return err
		}
		return errRefused
	}
	boom := func(tx *Tx) error {
		if err := insert(2, 2, nil, nil)(tx); err != nil {
			return err
		}
		panic("boom")
	}
	conflicted := false
	conflictOnce := func(tx *Tx) error {
		if !conflicted {
			conflicted = true
			_, err := tx.ExecContext(context.Background(), "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
			return err
		}
		return insert(2, 2, nil, nil)(tx)
	}
	refused := func(r []heldResult) bool { return errors.Is(r[1].err, errRefused) && r[1].pnc == nil }
	cases := []struct {
		name   string
		fn     func(tx *Tx) error
		cancel bool // cancel the caller's context while it is queued
		check  func(r []heldResult) bool
		rows   []int
	}{
		{"refusal without a write", refuse, false, func(r []heldResult) bool {
			return refused(r) && r[0].runs == 1 && r[2].runs == 1 // the group did not run again
		}, []int{1, 3}},
		{"failure after a write", insert(2, 2, errRefused, nil), false, refused, []int{1, 3}},
		{"check constraint", insert(2, -1, nil, nil), false, func(r []heldResult) bool {
			return r[1].err != nil && !errors.Is(r[1].err, errSpoiled) && r[1].pnc == nil
		}, []int{1, 3}},
		{"panic", boom, false, func(r []heldResult) bool { return r[1].pnc == "boom" }, []int{1, 3}},
		{"cancelled while queued", insert(2, 2, nil, nil), true, func(r []heldResult) bool {
			return errors.Is(r[1].err, context.Canceled) && r[1].runs == 0
		}, []int{1, 3}},
		{"serialization failure", conflictOnce, false, func(r []heldResult) bool {
			return r[1].err == nil && r[0].runs == 2 && r[1].runs == 2 && r[2].runs == 1
		}, []int{1, 2, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			groupBackends(t, func(t *testing.T, db *DB) {
				if tc.name == "serialization failure" && db.d != postgresDialect {
					t.Skip("SQLite's busy errors cannot be provoked inside its one writer")
				}
				audit0 := auditSize(t, db)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var whileHeld func()
				if tc.cancel {
					whileHeld = cancel
				}
				var seen3 int
				res := runHeld(t, db, whileHeld, heldCall{fn: insert(1, 1, nil, nil)}, heldCall{ctx: ctx, fn: tc.fn}, heldCall{fn: insert(3, 3, nil, &seen3)})
				if !tc.check(res) {
					t.Errorf("the middle caller got %v, panic %v; runs %d, %d, %d", res[1].err, res[1].pnc, res[0].runs, res[1].runs, res[2].runs)
				}
				if res[0].err != nil || res[0].pnc != nil || res[2].err != nil || res[2].pnc != nil {
					t.Fatalf("the others got %v (panic %v) and %v (panic %v)", res[0].err, res[0].pnc, res[2].err, res[2].pnc)
				}
				if res[0].tx != res[2].tx {
					t.Errorf("the functions that succeeded committed in different transactions")
				}
				if seen3 != len(tc.rows)-1 {
					t.Errorf("the third function saw %d rows; want %d", seen3, len(tc.rows)-1)
				}
				if ids := rowIDs(t, db); !slices.Equal(ids, tc.rows) {
					t.Errorf("rows %v; want %v", ids, tc.rows)
				}
				if got := auditSize(t, db) - audit0; got != int64(len(tc.rows)) {
					t.Errorf("%d audit records; want %d", got, len(tc.rows))
				}
			})
		})
	}
}

// TestGroupOnce checks that Once skips work that an earlier function of
// the group reported done, and only that, and never skips outside groups.
func TestGroupOnce(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		var done, undone int
		fn := func(tx *Tx) error {
			if err := tx.Once("done", func() (bool, error) { done++; return true, nil }); err != nil {
				return err
			}
			return tx.Once("undone", func() (bool, error) { undone++; return false, nil })
		}
		res := runHeld(t, db, nil, heldCall{fn: fn}, heldCall{fn: fn}, heldCall{fn: fn})
		for i, r := range res {
			if r.err != nil || r.tx != res[0].tx {
				t.Fatalf("call %d: %v (same transaction: %v)", i, r.err, r.tx == res[0].tx)
			}
		}
		if done != 1 || undone != 3 {
			t.Errorf("in one group: done ran %d times, want 1; undone %d, want 3", done, undone)
		}
		done = 0
		if err := db.Update(context.Background(), func(tx *Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			return fn(tx)
		}); err != nil {
			t.Fatal(err)
		}
		if done != 2 {
			t.Errorf("outside groups: done ran %d times, want 2", done)
		}
	})
}

// TestGroupRemember checks remember's memo: a group's transaction reads a
// key once until forget, a failed function clears the memo, and outside
// groups every remember reads.
func TestGroupRemember(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		reads := 0
		var log []int // reads after each remember
		var memoAfterFailure map[string]any
		step := func(tx *Tx) error {
			_, err := remember(tx, "k", func() (n int, err error) {
				reads++
				err = tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_test_rows").Scan(&n)
				return n, err
			})
			log = append(log, reads)
			return err
		}
		res := runHeld(t, db, nil,
			heldCall{fn: func(tx *Tx) error {
				step(tx)
				step(tx)
				tx.forget("k")
				return step(tx)
			}},
			heldCall{fn: func(tx *Tx) error {
				step(tx)
				return errors.New("refused")
			}},
			heldCall{fn: func(tx *Tx) error {
				memoAfterFailure = tx.memo
				return step(tx)
			}})
		if res[0].err != nil || res[1].err == nil || res[2].err != nil || res[0].tx != res[2].tx {
			t.Fatalf("errors: %v, %v, %v", res[0].err, res[1].err, res[2].err)
		}
		if want := []int{1, 1, 2, 2, 3}; !slices.Equal(log, want) {
			t.Errorf("reads after each remember: %v; want %v", log, want)
		}
		if memoAfterFailure != nil {
			t.Errorf("memo after a failed function: %v; want nil", memoAfterFailure)
		}
		log, reads = nil, 0
		if err := db.Update(ctx, func(tx *Tx) error {
			step(tx)
			return step(tx)
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(log, []int{1, 2}) {
			t.Errorf("reads outside groups: %v; want [1 2]", log)
		}
	})
}

// TestGroupStagedFlushFailure: a function's staged reservation that cannot
// be written (its license and order do not exist) fails when a later
// function's read writes it first. The group must run again with a
// savepoint each, so that the staging function fails and the reading one
// commits; were the failure taken for the reading function's alone, on
// SQLite the staged row would be lost and its function reported written.
func TestGroupStagedFlushFailure(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		stage := func(tx *Tx) error {
			now := tx.Now()
			e := &tollgate.Export{ExporterOrgID: newID(), LicenseID: newID(), LicenseNumber: "L-X", OrderID: newID(),
				Product: "H200", Units: tollgate.Units{Lot: "LOT", Count: 1}, ValueCents: 1, Destination: "CN",
				State: tollgate.ExportReserved, ReservedBy: "u", ReservedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := tx.InsertExport(ctx, e); err != nil {
				return err
			}
			// Only the staged row can fail here: drop the counter
			// changes, whose rows do not exist either.
			tx.counters = nil
			return nil
		}
		var count int
		read := func(tx *Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM exports`).Scan(&count)
		}
		res := runHeld(t, db, nil, heldCall{fn: stage}, heldCall{fn: read})
		if res[0].err == nil {
			t.Errorf("staging a reservation of no license: no error; it would be reported written")
		}
		if res[1].err != nil {
			t.Errorf("the read after it: %v; want it to commit alone", res[1].err)
		}
		var n int
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM exports`).Scan(&n); err != nil || n != 0 {
			t.Errorf("exports stored: %d (%v), want 0", n, err)
		}
	})
}

// TestGroupRequestDropsFailedStaging: inside a request's transaction (a
// group's function), a write that fails after staging rows leaves none of
// them for the commit, even when the request carries on and succeeds.
func TestGroupRequestDropsFailedStaging(t *testing.T) {
	groupBackends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		left := -1
		_, _, err := db.RunIdempotent(ctx, "s", "k", "d", func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
			err := db.UpdateLocked(ctx, func(tx *Tx) error {
				tx.exports = append(tx.exports, tollgate.Export{ID: newID()})
				tx.counters = &counterChanges{}
				tx.counters.add(orderRow(newID()), counterChange{reservedUnits: 1})
				return errors.New("refused")
			})
			if err == nil {
				t.Error("the failing write reported success")
			}
			if err := db.UpdateLocked(ctx, func(tx *Tx) error {
				left = len(tx.exports) + len(tx.updates)
				if !tx.counters.empty() {
					left++
				}
				return nil
			}); err != nil {
				return nil, err
			}
			return &tollgate.IdempotentResponse{Status: 200}, nil
		})
		if err != nil {
			t.Fatalf("the request: %v", err)
		}
		if left != 0 {
			t.Errorf("%d staged items of the failed write left for the commit, want 0", left)
		}
	})
}
