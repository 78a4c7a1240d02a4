package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

// idemFn is a call run under an Idempotency-Key: it writes one audited
// change (a "test.write" event on key) and answers with status.
func idemFn(db *store.DB, key string, status int) func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
	return func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
		if err := db.AuditEvent(ctx, "test.write", "idem", key, nil); err != nil {
			return nil, err
		}
		return &tollgate.IdempotentResponse{Status: status, Body: []byte(`{"key":"` + key + `"}`), ContentType: "application/json"}, nil
	}
}

// writesOf counts the committed "test.write" events on key.
func writesOf(t *testing.T, db *store.DB, ctx context.Context, key string) int {
	t.Helper()
	recs, _, err := db.FindAuditRecords(ctx, tollgate.AuditFilter{Action: "test.write", ObjectType: "idem", ObjectID: key, Limit: 100})
	mustNoErr(t, err)
	return len(recs)
}

// mustNotRun is a call that fails the test when it runs.
func mustNotRun(t *testing.T) func(context.Context) (*tollgate.IdempotentResponse, error) {
	return func(context.Context) (*tollgate.IdempotentResponse, error) {
		t.Error("the call ran; want a replay or a conflict")
		return nil, errors.New("ran")
	}
}

func testIdempotency(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	const scope = "user:u1"

	t.Run("RunReplay", func(t *testing.T) {
		got, replayed, err := db.RunIdempotent(ctx, scope, "key-1", "digest-a", idemFn(db, "key-1", 201))
		mustNoErr(t, err)
		if replayed || got == nil || got.Status != 201 {
			t.Fatalf("first run: got %+v, replayed %v; want 201, not replayed", got, replayed)
		}
		again, replayed, err := db.RunIdempotent(ctx, scope, "key-1", "digest-a", mustNotRun(t))
		mustNoErr(t, err)
		if !replayed || again.Status != got.Status || !bytes.Equal(again.Body, got.Body) || again.ContentType != got.ContentType {
			t.Fatalf("replay: got %+v, replayed %v; want %+v, replayed", again, replayed, got)
		}
		_, _, err = db.RunIdempotent(ctx, scope, "key-1", "digest-b", mustNotRun(t))
		wantCode(t, err, tollgate.ECONFLICT) // same key, different body
		if got, want := writesOf(t, db, ctx, "key-1"), 1; got != want {
			t.Errorf("writes: got %d, want %d", got, want)
		}
		// Another scope has its own keys.
		_, replayed, err = db.RunIdempotent(ctx, "user:u2", "key-1", "digest-b", idemFn(db, "key-1", 200))
		if err != nil || replayed {
			t.Errorf("run in another scope: replayed %v, %v; want a run", replayed, err)
		}
	})
	t.Run("EmptyBody", func(t *testing.T) {
		fn := func(context.Context) (*tollgate.IdempotentResponse, error) {
			return &tollgate.IdempotentResponse{Status: 204}, nil
		}
		_, _, err := db.RunIdempotent(ctx, "s", "no-content", "d", fn)
		mustNoErr(t, err)
		got, replayed, err := db.RunIdempotent(ctx, "s", "no-content", "d", mustNotRun(t))
		mustNoErr(t, err)
		if !replayed || got.Status != 204 || len(got.Body) != 0 {
			t.Errorf("replay of 204: got %+v, replayed %v", got, replayed)
		}
	})
	t.Run("FailureRollsBack", func(t *testing.T) {
		got, replayed, err := db.RunIdempotent(ctx, "s", "key-2", "digest-a", idemFn(db, "key-2", 409))
		mustNoErr(t, err)
		if replayed || got.Status != 409 {
			t.Errorf("failed call: got %+v, replayed %v; want its 409", got, replayed)
		}
		boom := errors.New("boom")
		_, _, err = db.RunIdempotent(ctx, "s", "key-2", "digest-b", func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
			_, err := idemFn(db, "key-2", 201)(ctx)
			return nil, errors.Join(err, boom)
		})
		if !errors.Is(err, boom) {
			t.Errorf("call returning an error: got %v, want %v", err, boom)
		}
		if got := writesOf(t, db, ctx, "key-2"); got != 0 {
			t.Errorf("writes of failed calls: got %d, want 0", got)
		}
		// The key stays free, for any body.
		_, replayed, err = db.RunIdempotent(ctx, "s", "key-2", "digest-c", idemFn(db, "key-2", 201))
		if err != nil || replayed {
			t.Errorf("run after failures: replayed %v, %v; want a run", replayed, err)
		}
	})
	t.Run("AmbientTransaction", func(t *testing.T) {
		_, _, err := db.RunIdempotent(ctx, "s", "key-3", "d", func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
			if _, err := idemFn(db, "key-3", 201)(ctx); err != nil {
				return nil, err
			}
			// Reads in the call see its writes.
			org := &tollgate.Org{Kind: tollgate.OrgBroker, Name: "Ambient Broker", Country: "US"}
			if err := db.CreateOrg(ctx, org); err != nil {
				return nil, err
			}
			if _, err := db.FindOrgByID(ctx, org.ID); err != nil {
				t.Errorf("org created inside the call: %v", err)
			}
			// A write that fails leaves nothing behind, though the call
			// goes on and succeeds.
			err := db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.AuditDetails(ctx, "test.write", "idem", "key-3", nil, nil, nil); err != nil {
					return err
				}
				return errors.New("undone")
			})
			if err == nil {
				t.Error("failing Update: got nil error")
			}
			return &tollgate.IdempotentResponse{Status: 201}, nil
		})
		mustNoErr(t, err)
		if got := writesOf(t, db, ctx, "key-3"); got != 1 {
			t.Errorf("writes: got %d, want 1 (the failed Update's undone)", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := db.RunIdempotent(ctx, "s", "", "d", mustNotRun(t))
		wantField(t, err, "Idempotency-Key")
		_, _, err = db.RunIdempotent(ctx, "s", "has space", "d", mustNotRun(t))
		wantField(t, err, "Idempotency-Key")
		_, _, err = db.RunIdempotent(ctx, "", "k", "d", mustNotRun(t))
		wantField(t, err, "scope")
		_, _, err = db.RunIdempotent(ctx, "s", "k", "", mustNotRun(t))
		wantField(t, err, "request_digest")
	})
	t.Run("ConcurrentRuns", func(t *testing.T) { testConcurrentRuns(t, db) })
	t.Run("CrashSafety", func(t *testing.T) { testCrashSafety(t, db) })
	t.Run("Purge", func(t *testing.T) {
		clock.Advance(48 * time.Hour)
		_, _, err := db.RunIdempotent(ctx, "s", "fresh", "d", idemFn(db, "fresh", 201))
		mustNoErr(t, err)
		n, err := db.PurgeIdempotent(ctx, clock.Now().Add(-24*time.Hour))
		mustNoErr(t, err)
		if n < 3 {
			t.Errorf("PurgeIdempotent: got %d, want the old keys gone", n)
		}
		_, replayed, err := db.RunIdempotent(ctx, "s", "fresh", "d", mustNotRun(t))
		if err != nil || !replayed {
			t.Errorf("key run after the cutoff: replayed %v, %v; want it kept", replayed, err)
		}
		_, replayed, err = db.RunIdempotent(ctx, scope, "key-1", "digest-z", idemFn(db, "key-1", 201))
		if err != nil || replayed {
			t.Errorf("run on a purged key: replayed %v, %v; want a run", replayed, err)
		}
	})
}

// testConcurrentRuns races callers on one key: exactly one runs its call,
// the others replay its response.
func testConcurrentRuns(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 16
	for round := range 3 {
		key := fmt.Sprintf("race-%d", round)
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ran      int
			replays  int
			errs     []error
			answered atomic.Int64
		)
		for range n {
			wg.Go(func() {
				resp, replayed, err := db.RunIdempotent(ctx, "race", key, "digest", idemFn(db, key, 201))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case replayed:
					replays++
				default:
					ran++
				}
				if err == nil && resp.Status == 201 {
					answered.Add(1)
				}
			})
		}
		wg.Wait()
		if ran != 1 || replays != n-1 || len(errs) > 0 || answered.Load() != n {
			t.Errorf("round %d: %d ran, %d replayed of %d callers (want 1 and %d); errors: %v", round, ran, replays, n, n-1, errs)
		}
		if got := writesOf(t, db, ctx, key); got != 1 {
			t.Errorf("round %d: %d writes committed, want 1", round, got)
		}
	}
}

// testCrashSafety checks, after calls that succeed, fail, return errors or
// die before committing (their context canceled, as a killed process's
// connection is), that a call's write is committed exactly when its
// response is recorded for retries.
func testCrashSafety(t *testing.T, db *store.DB) {
	ctx := context.Background()
	outcomes := []string{"ok", "fail", "error", "crash", "ok", "crash", "fail", "ok"}
	for i, outcome := range outcomes {
		key := fmt.Sprintf("crash-%d", i)
		cctx, cancel := context.WithCancel(ctx)
		_, _, _ = db.RunIdempotent(cctx, "crash", key, "d", func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
			resp, err := idemFn(db, key, 201)(ctx)
			switch outcome {
			case "fail":
				resp.Status = 500
			case "error":
				return nil, errors.New("failed")
			case "crash":
				cancel()
			}
			return resp, err
		})
		cancel()
		writes := writesOf(t, db, ctx, key)
		probe := func(context.Context) (*tollgate.IdempotentResponse, error) {
			return &tollgate.IdempotentResponse{Status: 500}, nil // commits nothing
		}
		resp, replayed, err := db.RunIdempotent(ctx, "crash", key, "d", probe)
		mustNoErr(t, err)
		if want := outcome == "ok"; (writes == 1) != want || writes > 1 || replayed != want {
			t.Errorf("%s call: %d writes committed, response replayed %v (%+v); want both or neither, and them only for a call that succeeded",
				outcome, writes, replayed, resp)
		}
	}
}
