package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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
// tollgate.IdempotencyStore: the handler runs into a buffer inside the
// store's request transaction, which records a successful response with
// the call's effects (so that retries replay it) or rolls a failed one
// back (so that a retry may run it again). The store may run the handler
// more than once, each time on the buffered request body.
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
	scope := idempotencyScope(p)
	digest := requestDigest(r.Method, r.URL.Path, body)
	var (
		rec    *bufferedResponse
		events *heldEvents
	)
	resp, replayed, err := s.store.RunIdempotent(r.Context(), scope, key, digest,
		func(ctx context.Context) (*tollgate.IdempotentResponse, error) {
			rec = &bufferedResponse{header: http.Header{}}
			events = &heldEvents{}
			rr := r.WithContext(context.WithValue(ctx, heldEventsKey{}, events))
			rr.Body = io.NopCloser(bytes.NewReader(body))
			if err := rt.handle(rec, rr); err != nil {
				s.writeError(rec, rr, err)
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			stored := rec.body.Bytes()
			if rec.replay != nil {
				stored = rec.replay
			}
			return &tollgate.IdempotentResponse{Status: rec.status, Body: stored, ContentType: rec.header.Get("Content-Type")}, nil
		})
	s.releaseEvents(r.Context(), events)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("api.idempotent: %w", err))
		return
	}
	if replayed {
		w.Header().Set(ReplayedHeader, "true")
		writeRaw(w, resp.Status, resp.ContentType, resp.Body)
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	writeRaw(w, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
}

// heldEventsKey is the context key of a request's heldEvents.
type heldEventsKey struct{}

// heldEvents are the authentication events (denials) raised by a handler
// running in the store's request transaction. The AuthEvents hook records
// them in the audit log, which must outlast the transaction that a denial
// rolls back, and cannot write beside it (SQLite has one writer): they are
// handed to the hook when the transaction has ended. Those of a run that
// the store repeats are dropped with it.
type heldEvents struct{ held []heldEvent }

// heldEvent is one held event and what authEvent was called with.
type heldEvent struct {
	p         *tollgate.Principal
	requestID string
	ev        AuthEvent
}

// holdEvent holds ev when ctx is a request transaction's, and reports
// whether it did.
func holdEvent(ctx context.Context, requestID string, ev AuthEvent) bool {
	h, ok := ctx.Value(heldEventsKey{}).(*heldEvents)
	if ok {
		h.held = append(h.held, heldEvent{p: tollgate.PrincipalFrom(ctx), requestID: requestID, ev: ev})
	}
	return ok
}

// releaseEvents hands the events h holds to authEvent, in ctx (outside the
// request's transaction) with the principal each was raised with.
func (s *server) releaseEvents(ctx context.Context, h *heldEvents) {
	if h == nil {
		return
	}
	for _, e := range h.held {
		ectx := ctx
		if e.p != nil {
			ectx = tollgate.WithPrincipal(ctx, e.p)
		}
		s.authEvent(ectx, e.requestID, e.ev)
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

// bufferedResponse holds a response until the request's transaction has
// committed or rolled back.
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
