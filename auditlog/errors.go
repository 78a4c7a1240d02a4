package auditlog

import (
	"errors"
	"fmt"
)

// ErrProofFailed is returned (wrapped) by CheckRecord and CheckTree when a
// proof does not lead to the expected tree hash.
var ErrProofFailed = errors.New("proof does not verify")

// An InputError reports a bad argument or a malformed record. Field names the
// offending input (a record field such as "action", or a parameter such as
// "index"), so that callers can map it to their own invalid-input code.
type InputError struct {
	Field   string
	Message string
}

// Error implements the error interface.
func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func inputErrorf(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Problem kinds reported by Verify. The record kinds name what happened to
// the first record at which the bundle departs from the signed log.
const (
	// KindAltered: the record's bytes differ from what was logged.
	KindAltered = "altered"
	// KindMissing: the record was removed; later records moved up.
	KindMissing = "missing"
	// KindReordered: the record is in the bundle, but at another line.
	KindReordered = "reordered"
	// KindInserted: a line that is not a logged record, or a repeated
	// record, was inserted before the record.
	KindInserted = "inserted"
	// KindTruncated: the bundle ends before the record (or cuts it short).
	KindTruncated = "truncated"
	// KindExtra: the bundle holds records beyond the checkpoint's tree size.
	KindExtra = "extra"
	// KindMalformed: the record matches the log but is not a well-formed
	// canonical record with the expected sequence number.
	KindMalformed = "malformed"
	// KindMismatch: the records do not produce the signed root hash and the
	// bundle's leaf hashes cannot be trusted to locate the difference.
	KindMismatch = "mismatch"
	// KindSignature: the checkpoint is not validly signed by a given key.
	KindSignature = "signature"
	// KindCheckpoint: a checkpoint is malformed or names another log.
	KindCheckpoint = "checkpoint"
	// KindRollback: the bundle's checkpoint is smaller than the auditor's
	// older checkpoint, so the log shrank or an old bundle was presented.
	KindRollback = "rollback"
	// KindInconsistent: the log no longer extends the auditor's older
	// checkpoint: its history was rewritten.
	KindInconsistent = "inconsistent"
)

// A Problem is the first thing Verify found wrong with a bundle.
type Problem struct {
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Seq is the sequence number of the first bad record, or -1 when the
	// problem is not about one record (a bad signature, a rewritten
	// history, or a mismatch that cannot be located).
	Seq int64 `json:"seq"`
	// Line is the 1-based line of records.jsonl where the problem shows,
	// or 0 when it is not about a line.
	Line int64 `json:"line,omitempty"`
	// Message explains the problem in one sentence.
	Message string `json:"message"`
}

// A VerifyError is the error Verify returns when a bundle fails to verify.
type VerifyError struct {
	Problem Problem
}

// Error implements the error interface. It names the record when there is one.
func (e *VerifyError) Error() string {
	p := e.Problem
	if p.Seq >= 0 {
		return fmt.Sprintf("record %d (%s): %s", p.Seq, p.Kind, p.Message)
	}
	return fmt.Sprintf("bundle (%s): %s", p.Kind, p.Message)
}
