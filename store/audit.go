package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"tollgate"
	"tollgate/auditlog"
)

// Audit records one change made in this transaction in the audit log:
// action names the use case ("party.create", "hit.decide"), objectType and
// objectID the object changed, and before and after are the object before
// and after the change (nil, or a nil pointer, when it did not exist before
// or does not exist after). The objects are not stored: the record keeps the
// SHA-256 of their canonical JSON. The record's actor is the principal in
// ctx (see tollgate.WithPrincipal), else the DB's Actor, and its time is the
// transaction's time.
//
// The records of a transaction are appended together when the function
// given to DB.Update returns nil, as the transaction's last writes, in the
// order Audit was called; if the append fails the transaction is rolled
// back with its change. Audit must be called from a DB.Update transaction
// (it fails in View).
func (tx *Tx) Audit(ctx context.Context, action, objectType, objectID string, before, after any) error {
	return tx.AuditDetails(ctx, action, objectType, objectID, before, after, nil)
}

// AuditDetails is Audit with details: a small JSON object of context kept
// in the record itself (a reason, a list version, a count). Details must
// not hold secrets or personal data beyond what identifies the change.
func (tx *Tx) AuditDetails(ctx context.Context, action, objectType, objectID string, before, after any, details map[string]any) error {
	rec, err := tx.auditRecord(ctx, action, objectType, objectID, details)
	if err != nil {
		return fmt.Errorf("store.Audit: %s: %w", action, err)
	}
	if rec.Before, err = digestOf(before); err != nil {
		return fmt.Errorf("store.Audit: %s: before: %w", action, err)
	}
	var body []byte
	if body, rec.After, err = auditState(after); err != nil {
		return fmt.Errorf("store.Audit: %s: after: %w", action, err)
	}
	if err := rec.Validate(); err != nil {
		return fmt.Errorf("store.Audit: %w", err)
	}
	tx.audit = append(tx.audit, pendingAudit{rec: rec, body: body})
	return nil
}

// pendingAudit is a record Tx.Audit collected, with the canonical JSON of
// the object's state after the change (nil when none).
type pendingAudit struct {
	rec  auditlog.Record
	body []byte
}

// AuditEvent appends one record of an event that changes no object in the
// store, such as a failed login or a denied request, in a transaction of
// its own. objectID may be empty; details is a small JSON object of
// context and must not hold secrets (never a password or token secret).
func (db *DB) AuditEvent(ctx context.Context, action, objectType, objectID string, details map[string]any) error {
	err := db.Update(ctx, func(tx *Tx) error {
		return tx.AuditDetails(ctx, action, objectType, objectID, nil, nil, details)
	})
	if err != nil {
		return fmt.Errorf("store.AuditEvent: %w", err)
	}
	return nil
}

// AuditStore returns the audit log's storage inside this transaction, for
// auditlog.Append: appending prepared records in bulk, and the conformance
// suite of package audittest. Use cases record their changes with Audit,
// which stamps the actor and time; Audit's records are appended at commit,
// after any appended here. It must be used in a DB.Update transaction.
func (tx *Tx) AuditStore() auditlog.TxStore { return auditTx{tx} }

// AppendAudit appends prepared records to the audit log, as they are
// (their Time and Actor included), in one transaction of their own, and
// returns them as appended. It is for records that no change in the store
// goes with, such as a key rotation (auditlog.RotationRecord), and for
// loading a log in bulk; use cases record their changes with Tx.Audit.
func (db *DB) AppendAudit(ctx context.Context, recs ...auditlog.Record) ([]auditlog.Entry, error) {
	var entries []auditlog.Entry
	err := db.Update(ctx, func(tx *Tx) (err error) {
		entries, err = auditlog.Append(ctx, auditTx{tx}, recs...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.AppendAudit: %w", err)
	}
	return entries, nil
}

// auditRecord starts the record of a change: time, actor, action, object
// and details; the digests are filled in by the caller.
func (tx *Tx) auditRecord(ctx context.Context, action, objectType, objectID string, details map[string]any) (auditlog.Record, error) {
	if !tx.write {
		return auditlog.Record{}, errors.New("audit records are appended only in DB.Update transactions")
	}
	rec := auditlog.Record{
		Time:       tx.now,
		Actor:      actorOf(tollgate.PrincipalFrom(ctx), tx.actor),
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
	}
	if len(details) > 0 {
		b, err := json.Marshal(details)
		if err != nil {
			return auditlog.Record{}, tollgate.FieldErrorf("details", "cannot encode: %v", err)
		}
		rec.Details = b
	}
	return rec, nil
}

// actorOf names p, or fallback when p is nil, as an audit record's actor.
// A session is named in the token field with a "session:" prefix, so that
// every record says which credential made the change.
func actorOf(p, fallback *tollgate.Principal) auditlog.Actor {
	if p == nil {
		p = fallback
	}
	if p == nil {
		p = tollgate.SystemPrincipal()
	}
	a := auditlog.Actor{UserID: p.UserID, OrgID: p.OrgID, TokenID: p.TokenID}
	if a.TokenID == "" && p.SessionID != "" {
		a.TokenID = "session:" + p.SessionID
	}
	return a
}

// AuditDigest returns the digest the audit log records for the object v
// (a record's before- or after-digest): the SHA-256 of the canonical JSON
// of v's audited view (see auditView), or "" when v is nil or a nil
// pointer, map or slice (no object).
func AuditDigest(v any) (string, error) {
	_, digest, err := auditState(v)
	return digest, err
}

// digestOf is AuditDigest.
func digestOf(v any) (string, error) { return AuditDigest(v) }

// auditState returns the canonical JSON of v as the audit log states it
// and its digest, or nothing when v is nil or a nil pointer, map or slice
// (no object). It is the one encoding of an object's state: Tx.Audit
// digests the objects of a change with it and Reconcile the live objects.
// The state is v's audited view (auditView) with its times as the store
// keeps them (storedTimes).
func auditState(v any) (canonical []byte, digest string, err error) {
	if v == nil {
		return nil, "", nil
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		if rv.IsNil() {
			return nil, "", nil
		}
	}
	if canonical, err = auditlog.CanonicalJSON(storedTimes(auditView(v))); err != nil {
		return nil, "", err
	}
	return canonical, auditlog.DigestCanonical(canonical), nil
}

// auditView returns the form of v whose state the audit log records: v
// itself, but for the objects that carry what is no state of theirs (a
// flag derived from other rows, another object's decision) or bookkeeping
// the store updates without a record (when a token was last used, when a
// session was last seen), which their view leaves out, and for the
// credentials' secrets, which their view states by digest (a secret
// digested again, so that no copy of the view holds anything a caller could
// sign in with).
func auditView(v any) any {
	switch o := v.(type) {
	case *tollgate.ListVersion:
		c := *o
		c.Current = false // whether a newer version of the source exists
		return &c
	case *tollgate.Screening:
		c := *o
		c.Hits = slices.Clone(o.Hits)
		for i := range c.Hits {
			c.Hits[i].Decision = nil // hit_decision records state decisions
		}
		return &c
	case *tollgate.User:
		return struct {
			*tollgate.User
			PasswordDigest string `json:"password_hash_digest,omitempty"`
		}{o, secretDigest(o.PasswordHash)}
	case *tollgate.Token:
		c := *o
		c.LastUsedAt = time.Time{}
		return struct {
			*tollgate.Token
			HashDigest string `json:"hash_digest"`
		}{&c, secretDigest(o.Hash)}
	case *tollgate.Session:
		// When a session was last seen, and so its idle deadline, moves
		// with use, unrecorded.
		return struct {
			ID         string    `json:"id"`
			UserID     string    `json:"user_id"`
			OrgID      string    `json:"org_id"`
			HashDigest string    `json:"hash_digest"`
			CreatedAt  time.Time `json:"created_at"`
			ExpiresAt  time.Time `json:"expires_at"`
			EndedAt    time.Time `json:"ended_at,omitzero"`
			EndReason  string    `json:"end_reason,omitempty"`
		}{o.ID, o.UserID, o.OrgID, secretDigest(o.Hash), o.CreatedAt, o.ExpiresAt, o.EndedAt, o.EndReason}
	}
	return v
}

// secretDigest returns the hex SHA-256 of a stored secret's hash, or ""
// for none.
func secretDigest(hash string) string {
	if hash == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(hash))
	return hex.EncodeToString(sum[:])
}

// flushAudit appends the records collected by Audit during fn, in one
// batch, just before the transaction commits.
func (tx *Tx) flushAudit(ctx context.Context) error {
	if len(tx.audit) == 0 {
		return nil
	}
	recs := make([]auditlog.Record, len(tx.audit))
	for i, p := range tx.audit {
		recs[i] = p.rec
	}
	tx.objects = recordedObjects(tx.audit)
	_, err := auditlog.Append(ctx, auditTx{tx}, recs...)
	tx.objects = nil
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	tx.audit = tx.audit[:0]
	return nil
}
