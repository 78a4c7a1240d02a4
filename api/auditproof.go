package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/auth"
)

func (s *server) handleInclusionProof(w http.ResponseWriter, r *http.Request) error {
	seq, err := queryInt64(r, "seq", true)
	if err != nil {
		return err
	}
	size, cp, err := s.proofSize(r.Context(), r, "size")
	if err != nil {
		return err
	}
	if seq >= size {
		return tollgate.FieldErrorf("seq", "record %d is not in the tree of size %d", seq, size)
	}
	e, err := s.audit.FindAuditRecord(r.Context(), seq)
	if err != nil {
		return err
	}
	notFound := tollgate.Errorf(tollgate.ENOTFOUND, "audit record %d not found", seq)
	if err := s.authorize(r, PermCheckpointRead, auth.OwnedBy(e.Record.Actor.OrgID), notFound); err != nil {
		return err
	}
	p, err := auditlog.ProveRecord(r.Context(), s.audit, size, seq)
	if err != nil {
		return auditInputError(err)
	}
	return encode(w, http.StatusOK, InclusionProofResult{Record: auditRecordOf(e), Proof: p, Checkpoint: cp})
}

func (s *server) handleConsistencyProof(w http.ResponseWriter, r *http.Request) error {
	old, err := queryInt64(r, "old", true)
	if err != nil {
		return err
	}
	size, cp, err := s.proofSize(r.Context(), r, "new")
	if err != nil {
		return err
	}
	if old > size {
		return tollgate.FieldErrorf("old", "%d is larger than the new size %d", old, size)
	}
	p, err := auditlog.ProveTree(r.Context(), s.audit, old, size)
	if err != nil {
		return auditInputError(err)
	}
	return encode(w, http.StatusOK, ConsistencyProofResult{Proof: p, Checkpoint: cp})
}

// proofSize returns the tree size a proof is asked against: the query
// parameter name, which must not exceed the log's size, or else the size
// of the latest checkpoint, which it returns too.
func (s *server) proofSize(ctx context.Context, r *http.Request, name string) (int64, *AuditCheckpoint, error) {
	size, err := queryInt64(r, name, false)
	if err != nil {
		return 0, nil, err
	}
	if size < 0 {
		cp, err := s.latestCheckpoint(ctx)
		if err != nil {
			return 0, nil, err
		}
		return cp.Checkpoint.Size, s.checkpointOf(cp), nil
	}
	n, err := s.audit.AuditSize(ctx)
	if err != nil {
		return 0, nil, err
	}
	if size > n {
		return 0, nil, tollgate.FieldErrorf(name, "%d is larger than the log, which has %d records", size, n)
	}
	return size, nil, nil
}

// queryInt64 parses a non-negative integer query parameter; absent gives
// -1, or an error when required.
func queryInt64(r *http.Request, name string, required bool) (int64, error) {
	v := queryString(r, name)
	if v == "" {
		if required {
			return 0, tollgate.FieldErrorf(name, "is required")
		}
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, tollgate.FieldErrorf(name, "must be a non-negative integer, not %q", v)
	}
	return n, nil
}

// queryTime parses an RFC 3339 time or a YYYY-MM-DD date (midnight UTC);
// absent gives the zero time.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := queryString(r, name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, tollgate.FieldErrorf(name, "must be an RFC 3339 time or a date YYYY-MM-DD, not %q", v)
}

// auditInputError turns the auditlog's bad-argument errors into EINVALID
// naming the field; other errors pass through.
func auditInputError(err error) error {
	var ie *auditlog.InputError
	if errors.As(err, &ie) {
		return tollgate.FieldErrorf(ie.Field, "%s", ie.Message)
	}
	return err
}
