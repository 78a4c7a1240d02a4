package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"tollgate"
	"tollgate/store"
)

func testIdempotency(t *testing.T, newDSN NewDSN) {
	ctx := context.Background()
	db, clock := open(t, newDSN)
	resp := tollgate.IdempotentResponse{Status: 201, Body: []byte(`{"id":"p1"}`), ContentType: "application/json"}

	t.Run("ClaimFinishReplay", func(t *testing.T) {
		got, err := db.BeginIdempotent(ctx, "org1 POST /v1/parties", "key-1", "digest-a")
		if err != nil || got != nil {
			t.Fatalf("first Begin: got %v, %v; want nil, nil", got, err)
		}
		_, err = db.BeginIdempotent(ctx, "org1 POST /v1/parties", "key-1", "digest-a")
		wantCode(t, err, tollgate.ECONFLICT) // still in progress
		mustNoErr(t, db.FinishIdempotent(ctx, "org1 POST /v1/parties", "key-1", resp))
		got, err = db.BeginIdempotent(ctx, "org1 POST /v1/parties", "key-1", "digest-a")
		mustNoErr(t, err)
		if got == nil || got.Status != resp.Status || !bytes.Equal(got.Body, resp.Body) || got.ContentType != resp.ContentType {
			t.Fatalf("replay: got %+v, want %+v", got, resp)
		}
		_, err = db.BeginIdempotent(ctx, "org1 POST /v1/parties", "key-1", "digest-b")
		wantCode(t, err, tollgate.ECONFLICT) // same key, different body
		wantCode(t, db.FinishIdempotent(ctx, "org1 POST /v1/parties", "key-1", resp), tollgate.ECONFLICT)
		wantCode(t, db.AbandonIdempotent(ctx, "org1 POST /v1/parties", "key-1"), tollgate.ECONFLICT)
		// Another scope has its own keys.
		got, err = db.BeginIdempotent(ctx, "org2 POST /v1/parties", "key-1", "digest-b")
		if err != nil || got != nil {
			t.Errorf("Begin in another scope: got %v, %v; want nil, nil", got, err)
		}
	})
	t.Run("EmptyBody", func(t *testing.T) {
		_, err := db.BeginIdempotent(ctx, "s", "no-content", "d")
		mustNoErr(t, err)
		mustNoErr(t, db.FinishIdempotent(ctx, "s", "no-content", tollgate.IdempotentResponse{Status: 204}))
		got, err := db.BeginIdempotent(ctx, "s", "no-content", "d")
		mustNoErr(t, err)
		if got == nil || got.Status != 204 || len(got.Body) != 0 {
			t.Errorf("replay of 204: got %+v", got)
		}
	})
	t.Run("Abandon", func(t *testing.T) {
		_, err := db.BeginIdempotent(ctx, "s", "key-2", "digest-a")
		mustNoErr(t, err)
		mustNoErr(t, db.AbandonIdempotent(ctx, "s", "key-2"))
		got, err := db.BeginIdempotent(ctx, "s", "key-2", "digest-b")
		if err != nil || got != nil {
			t.Errorf("Begin after Abandon: got %v, %v; want nil, nil", got, err)
		}
		mustNoErr(t, db.AbandonIdempotent(ctx, "s", "never-claimed"))
		wantCode(t, db.FinishIdempotent(ctx, "s", "never-claimed", resp), tollgate.ENOTFOUND)
	})
	t.Run("StaleClaimTakenOver", func(t *testing.T) {
		_, err := db.BeginIdempotent(ctx, "s", "key-3", "digest-a")
		mustNoErr(t, err)
		clock.Advance(db.ClaimTimeout - time.Second)
		_, err = db.BeginIdempotent(ctx, "s", "key-3", "digest-a")
		wantCode(t, err, tollgate.ECONFLICT)
		clock.Advance(time.Second)
		got, err := db.BeginIdempotent(ctx, "s", "key-3", "digest-a")
		if err != nil || got != nil {
			t.Errorf("Begin after the claim timed out: got %v, %v; want nil, nil", got, err)
		}
		_, err = db.BeginIdempotent(ctx, "s", "key-3", "digest-a")
		wantCode(t, err, tollgate.ECONFLICT) // the new claim is fresh
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := db.BeginIdempotent(ctx, "s", "", "d")
		wantField(t, err, "Idempotency-Key")
		_, err = db.BeginIdempotent(ctx, "s", "has space", "d")
		wantField(t, err, "Idempotency-Key")
		_, err = db.BeginIdempotent(ctx, "", "k", "d")
		wantField(t, err, "scope")
		_, err = db.BeginIdempotent(ctx, "s", "k", "")
		wantField(t, err, "request_digest")
	})
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, db) })
	t.Run("Purge", func(t *testing.T) {
		clock.Advance(48 * time.Hour)
		_, err := db.BeginIdempotent(ctx, "s", "fresh", "d")
		mustNoErr(t, err)
		n, err := db.PurgeIdempotent(ctx, clock.Now().Add(-24*time.Hour))
		mustNoErr(t, err)
		if n < 3 {
			t.Errorf("PurgeIdempotent: got %d, want the old keys gone", n)
		}
		_, err = db.BeginIdempotent(ctx, "s", "fresh", "d")
		wantCode(t, err, tollgate.ECONFLICT) // kept: claimed after the cutoff
		got, err := db.BeginIdempotent(ctx, "org1 POST /v1/parties", "key-1", "digest-z")
		if err != nil || got != nil {
			t.Errorf("Begin on a purged key: got %v, %v; want nil, nil", got, err)
		}
	})
}

// testConcurrentClaims races callers on one key: exactly one may claim it.
func testConcurrentClaims(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const n = 16
	for round := range 3 {
		key := "race-" + string(rune('a'+round))
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			claimed int
			errs    []error
		)
		for range n {
			wg.Go(func() {
				resp, err := db.BeginIdempotent(ctx, "race", key, "digest")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && resp == nil:
					claimed++
				case tollgate.ErrorCode(err) == tollgate.ECONFLICT:
				default:
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if claimed != 1 || len(errs) > 0 {
			t.Errorf("round %d: %d of %d callers claimed the key (want 1); unexpected errors: %v", round, claimed, n, errs)
		}
	}
}
