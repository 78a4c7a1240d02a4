package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"tollgate"
)

// IdempotencyKeyHeader is the request header that makes a mutating call
// safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

// ReplayedHeader is set to "true" on a response that replays the stored
// outcome of an earlier call with the same Idempotency-Key.
const ReplayedHeader = "Idempotent-Replayed"

// idempotent runs a mutating route under the Idempotency-Key protocol of
// tollgate.IdempotencyStore: claim the key for this request's digest, run
// the handler into a buffer, then record a successful response (so that
// retries replay it) or release the claim of a failed one (whose
// transaction rolled back, so a retry may run it again).
func (s *server) idempotent(rt route, p *tollgate.Principal, w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(IdempotencyKeyHeader)
	if err := tollgate.ValidateIdempotencyKey(key); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	scope := idempotencyScope(p)
	digest := requestDigest(r.Method, r.URL.Path, body)
	// The claim must be settled even when the client goes away mid-call.
	ctx := context.WithoutCancel(r.Context())
	prev, err := s.store.BeginIdempotent(ctx, scope, key, digest)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("api.idempotent: %w", err))
		return
	}
	if prev != nil {
		w.Header().Set(ReplayedHeader, "true")
		writeRaw(w, prev.Status, prev.ContentType, prev.Body)
		return
	}
	rec := &bufferedResponse{header: http.Header{}}
	s.runClaimed(ctx, rt, scope, key, rec, r)
	if rec.status >= 200 && rec.status < 300 {
		stored := rec.body.Bytes()
		if rec.replay != nil {
			stored = rec.replay
		}
		resp := tollgate.IdempotentResponse{Status: rec.status, Body: stored, ContentType: rec.header.Get("Content-Type")}
		if err := s.store.FinishIdempotent(ctx, scope, key, resp); err != nil {
			// The call's effects are committed; answer with them, and leave
			// a trace for the operator: retries of this key will get 409.
			s.log.LogAttrs(ctx, slog.LevelError, "idempotency: cannot record response",
				slog.String("request_id", requestInfoFrom(ctx).id), slog.String("error", err.Error()))
		}
	} else if err := s.store.AbandonIdempotent(ctx, scope, key); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "idempotency: cannot release key",
			slog.String("request_id", requestInfoFrom(ctx).id), slog.String("error", err.Error()))
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	writeRaw(w, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
}

// runClaimed runs the handler into rec; if it panics, the claim is released
// before the panic goes on to the recovery middleware.
func (s *server) runClaimed(ctx context.Context, rt route, scope, key string, rec *bufferedResponse, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			_ = s.store.AbandonIdempotent(ctx, scope, key)
			panic(p)
		}
	}()
	if err := rt.handle(rec, r); err != nil {
		s.writeError(rec, r, err)
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
}

// idempotencyScope separates the keys of different callers: a user's keys
// are shared by all its tokens and sessions, so a retry through another
// credential still replays.
func idempotencyScope(p *tollgate.Principal) string {
	return "user:" + p.UserID
}

// requestDigest identifies "the same call": method, path and body. A JSON
// body is canonicalized first (keys sorted, whitespace dropped), so a client
// that re-serializes the same object on retry is not told it conflicts.
func requestDigest(method, path string, body []byte) string {
	h := sha256.New()
	io.WriteString(h, method+" "+path+"\n")
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if canon, err := json.Marshal(v); err == nil {
			body = canon
		}
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// bufferedResponse holds a response until the idempotency record is
// settled.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	// replay, when set, is the body to store for retries instead of body,
	// which holds a secret shown once (encodeOnce).
	replay []byte
}

// encodeOnce answers with v, which holds a secret to be shown once (a new
// API token), and has a retry under the same Idempotency-Key replay
// instead, which is v without the secret: the stored response must never
// hold a secret in clear.
func encodeOnce(w http.ResponseWriter, status int, v, replay any) error {
	if b, ok := w.(*bufferedResponse); ok {
		stored := &bufferedResponse{header: http.Header{}}
		writeBody(stored, status, "application/json", replay)
		b.replay = stored.body.Bytes()
	}
	return encode(w, status, v)
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// writeRaw sends an already-encoded body.
func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
