package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/auth"
	"tollgate/store"
)

// PermAuditRead lets its holder read audit records: auditors every
// record, an exporter's admins the records of their organization's users
// (package auth's policy).
const PermAuditRead = "audit.read"

// PermCheckpointRead lets its holder read the log's signed checkpoints and
// its proofs, which tell the log's size and so everyone's activity: the
// auditor, who verifies the log.
const PermCheckpointRead = "checkpoint.read"

// PermReconcileRead lets its holder compare every live object of every
// tenant with the audit log: the auditor's.
const PermReconcileRead = "reconcile.read"

// maxReconcileLimit bounds the findings one reconcile answer lists.
const maxReconcileLimit = 10000

// AuditLog is what the API needs from the audit log's store (*store.DB):
// every mutation of the store appends its records itself; the API only
// reads them, makes checkpoints and serves proofs.
type AuditLog interface {
	auditlog.HashReader
	// AuditSize returns the number of records in the log.
	AuditSize(ctx context.Context) (int64, error)
	// FindAuditRecords returns a page of records, oldest first, and the
	// next page's cursor.
	FindAuditRecords(ctx context.Context, filter tollgate.AuditFilter) ([]auditlog.Entry, string, error)
	// AuditCheckpoint returns a checkpoint of the whole log signed with
	// key, made now unless key signed one of this size already.
	AuditCheckpoint(ctx context.Context, key *auditlog.Key) (*store.SignedCheckpoint, error)
	// LatestAuditCheckpoint returns the kept checkpoint of the largest
	// size, or ENOTFOUND.
	LatestAuditCheckpoint(ctx context.Context) (*store.SignedCheckpoint, error)
	// FindAuditRecord returns the record with sequence number seq, or
	// ENOTFOUND.
	FindAuditRecord(ctx context.Context, seq int64) (auditlog.Entry, error)
	// Reconcile compares every live object with its last audit record
	// and lists at most limit findings (store.DB.Reconcile).
	Reconcile(ctx context.Context, limit int) (*store.ReconcileReport, error)
}

// AuditRecord is a record of the audit log as the API shows it: its fields,
// and its canonical encoding (the exact bytes the Merkle tree hashes, as a
// string) with its leaf hash, so that a client can check an inclusion
// proof against a checkpoint.
type AuditRecord struct {
	Seq        int64           `json:"seq"`
	Time       time.Time       `json:"time"`
	Actor      auditlog.Actor  `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id,omitempty"`
	Before     string          `json:"before,omitempty"`
	After      string          `json:"after,omitempty"`
	Details    json.RawMessage `json:"details,omitempty"`
	Canonical  string          `json:"canonical"`
	LeafHash   tlog.Hash       `json:"leaf_hash"`
}

// OwnAuditRecord is an audit record as a caller who reads only its own
// organization's records sees it: without the record's sequence number,
// canonical bytes and leaf hash, which tell the log's size and so everyone's
// activity (proofs need checkpoint.read, the auditor's, anyway).
type OwnAuditRecord struct {
	Time       time.Time       `json:"time"`
	Actor      auditlog.Actor  `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id,omitempty"`
	Before     string          `json:"before,omitempty"`
	After      string          `json:"after,omitempty"`
	Details    json.RawMessage `json:"details,omitempty"`
}

// listOwnAuditRecords answers GET /v1/audit/records for a caller limited
// to its own organization's records (f.OrgID): each without its sequence
// number, paged by a cursor that counts the caller's own records, so that
// no answer changes with what other organizations do.
func (s *server) listOwnAuditRecords(w http.ResponseWriter, r *http.Request, f tollgate.AuditFilter) error {
	offset, err := decodeOwnCursor(f.Cursor)
	if err != nil {
		return err
	}
	f.Cursor, f.Offset = "", offset
	entries, next, err := s.audit.FindAuditRecords(r.Context(), f)
	if err != nil {
		return err
	}
	p := Page[OwnAuditRecord]{Items: make([]OwnAuditRecord, len(entries))}
	for i, e := range entries {
		rec := e.Record
		p.Items[i] = OwnAuditRecord{Time: rec.Time.UTC(), Actor: rec.Actor, Action: rec.Action, ObjectType: rec.ObjectType,
			ObjectID: rec.ObjectID, Before: rec.Before, After: rec.After, Details: rec.Details}
	}
	if next != "" {
		p.NextCursor = encodeOwnCursor(offset + len(entries))
	}
	return encode(w, http.StatusOK, p)
}

// encodeOwnCursor makes the cursor of an own-records page that starts after
// the caller's first n matching records.
func encodeOwnCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("own:" + strconv.Itoa(n)))
}

// decodeOwnCursor returns the count an own-records cursor holds (0 for no
// cursor); only the exact text encodeOwnCursor makes is accepted.
func decodeOwnCursor(cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	n, convErr := strconv.Atoi(strings.TrimPrefix(string(b), "own:"))
	if err != nil || convErr != nil || n <= 0 || encodeOwnCursor(n) != cursor {
		return 0, tollgate.FieldErrorf("cursor", "not a cursor this list returned")
	}
	return n, nil
}

// auditRecordOf converts an entry of the log.
func auditRecordOf(e auditlog.Entry) AuditRecord {
	r := e.Record
	return AuditRecord{
		Seq: r.Seq, Time: r.Time.UTC(), Actor: r.Actor, Action: r.Action,
		ObjectType: r.ObjectType, ObjectID: r.ObjectID, Before: r.Before, After: r.After,
		Details: r.Details, Canonical: string(e.Canonical), LeafHash: e.LeafHash,
	}
}

// AuditCheckpoint is the answer of GET /v1/audit/checkpoint: the signed
// checkpoint note (what an auditor keeps and passes to "tollgate audit
// verify --checkpoint"), its parsed fields and the key that signed it.
type AuditCheckpoint struct {
	Origin      string    `json:"origin"`
	Size        int64     `json:"size"`
	Hash        tlog.Hash `json:"hash"`
	Note        string    `json:"note"`
	KeyHash     string    `json:"key_hash"`
	VerifierKey string    `json:"verifier_key,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// InclusionProofResult is the answer of GET /v1/audit/proof/inclusion: the
// record, the proof that the tree of the checkpoint's size holds it, and
// the checkpoint when one of that size is kept.
type InclusionProofResult struct {
	Record     AuditRecord              `json:"record"`
	Proof      *auditlog.InclusionProof `json:"proof"`
	Checkpoint *AuditCheckpoint         `json:"checkpoint,omitempty"`
}

// ConsistencyProofResult is the answer of GET /v1/audit/proof/consistency:
// the proof that the newer tree holds the older one as its prefix, and the
// newer checkpoint when one of that size is kept.
type ConsistencyProofResult struct {
	Proof      *auditlog.ConsistencyProof `json:"proof"`
	Checkpoint *AuditCheckpoint           `json:"checkpoint,omitempty"`
}

// auditParams are the query parameters of the audit routes.
var (
	auditRecordParams = []Param{
		{Name: "action", Type: "string", Description: "Only records of this action (party.create, list.import, …)."},
		{Name: "object_type", Type: "string", Description: "Only records about objects of this type."},
		{Name: "object_id", Type: "string", Description: "Only records about the object with this id."},
		{Name: "user_id", Type: "string", Description: "Only records of changes made by this user."},
		{Name: "org_id", Type: "string", Description: "Only records of changes made by this organization's users."},
		{Name: "since", Type: "string", Description: "Only records at or after this time (RFC 3339, or a date YYYY-MM-DD)."},
		{Name: "until", Type: "string", Description: "Only records before this time (RFC 3339, or a date YYYY-MM-DD)."},
		paramCursor, paramLimit,
	}
	auditReconcileParams = []Param{
		{Name: "limit", Type: "integer", Description: "List at most this many findings (1 to 10000, default 1000); all are counted."},
	}
	auditInclusionParams = []Param{
		{Name: "seq", Type: "integer", Required: true, Description: "The record's sequence number."},
		{Name: "size", Type: "integer", Description: "The tree size of the checkpoint to prove against; default: the latest checkpoint."},
	}
	auditConsistencyParams = []Param{
		{Name: "old", Type: "integer", Required: true, Description: "The older checkpoint's tree size."},
		{Name: "new", Type: "integer", Description: "The newer checkpoint's tree size; default: the latest checkpoint."},
	}
)

// auditScope returns the organization whose users' records the caller may
// read, or "" for all: auditors read every record, an exporter's admins
// those of their organization (auth's policy; an audit record is owned by
// its actor's organization).
func (s *server) auditScope(r *http.Request) (string, error) {
	sc, err := auth.ScopeOf(principalFrom(r.Context()), PermAuditRead)
	if err != nil {
		return "", err
	}
	if sc.All {
		return "", nil
	}
	if sc.OrgID == "" {
		return "", tollgate.Errorf(tollgate.EFORBIDDEN, "forbidden: no audit records are in your reach")
	}
	return sc.OrgID, nil
}

func (s *server) handleListAuditRecords(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	f := tollgate.AuditFilter{
		Action: queryString(r, "action"), ObjectType: queryString(r, "object_type"), ObjectID: queryString(r, "object_id"),
		UserID: queryString(r, "user_id"), OrgID: queryString(r, "org_id"), Cursor: cursor, Limit: limit,
	}
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	scope, err := s.auditScope(r)
	if err != nil {
		return err
	}
	if scope != "" {
		if f.OrgID != "" && f.OrgID != scope {
			return encode(w, http.StatusOK, Page[OwnAuditRecord]{Items: []OwnAuditRecord{}})
		}
		f.OrgID = scope
		return s.listOwnAuditRecords(w, r, f)
	}
	entries, next, err := s.audit.FindAuditRecords(r.Context(), f)
	if err != nil {
		return err
	}
	p := Page[AuditRecord]{Items: make([]AuditRecord, len(entries)), NextCursor: next}
	for i, e := range entries {
		p.Items[i] = auditRecordOf(e)
	}
	return encode(w, http.StatusOK, p)
}

func (s *server) handleAuditCheckpoint(w http.ResponseWriter, r *http.Request) error {
	cp, err := s.latestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, s.checkpointOf(cp))
}

// latestCheckpoint makes a checkpoint of the log as it is now when the
// server holds the signing key, and otherwise returns the latest kept.
func (s *server) latestCheckpoint(ctx context.Context) (*store.SignedCheckpoint, error) {
	if k := s.signingKey(); k != nil {
		return s.audit.AuditCheckpoint(ctx, k)
	}
	return s.audit.LatestAuditCheckpoint(ctx)
}

func (s *server) checkpointOf(cp *store.SignedCheckpoint) *AuditCheckpoint {
	out := &AuditCheckpoint{
		Origin: cp.Checkpoint.Origin, Size: cp.Checkpoint.Size, Hash: cp.Checkpoint.Hash,
		Note: cp.Note, KeyHash: cp.KeyHash, CreatedAt: cp.CreatedAt,
	}
	if k := s.signingKey(); k != nil && cp.KeyHash == keyHashOf(k) {
		out.VerifierKey = k.VerifierKey()
	}
	return out
}

// signingKey returns the checkpoint signing key, or nil for none.
func (s *server) signingKey() *auditlog.Key {
	if s.auditKey == nil {
		return nil
	}
	return s.auditKey()
}

// keyHashOf returns a key's hash as the store keeps it.
func keyHashOf(k *auditlog.Key) string { return fmt.Sprintf("%08x", k.Hash()) }

// handleAuditReconcile runs store.DB.Reconcile for a caller who reaches
// every tenant's objects (the auditor): the answer names objects of all.
func (s *server) handleAuditReconcile(w http.ResponseWriter, r *http.Request) error {
	sc, err := auth.ScopeOf(principalFrom(r.Context()), PermReconcileRead)
	if err != nil {
		return err
	}
	if !sc.All {
		return tollgate.Errorf(tollgate.EFORBIDDEN, "forbidden: reconcile reads every tenant's objects")
	}
	limit := store.DefaultReconcileLimit
	if v := queryString(r, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxReconcileLimit {
			return tollgate.FieldErrorf("limit", "must be an integer from 1 to %d", maxReconcileLimit)
		}
		limit = n
	}
	rep, err := s.audit.Reconcile(r.Context(), limit)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, rep)
}
