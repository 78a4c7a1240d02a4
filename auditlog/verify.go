package auditlog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Leaf-hash states reported by Verify.
const (
	LeafHashesVerified = "verified" // leafhashes.bin reproduces the signed root
	LeafHashesAbsent   = "absent"   // the bundle has no leafhashes.bin
	LeafHashesMismatch = "mismatch" // leafhashes.bin does not reproduce the signed root
)

// A Report is what Verify found: the checkpoint it checked the bundle
// against and, when the bundle failed, the first problem.
type Report struct {
	// OK is true when every check passed.
	OK bool `json:"ok"`
	// Checkpoint is the bundle's signed checkpoint, nil when it could not
	// be opened.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	// SignedBy lists the verified signatures as "name+hash".
	SignedBy []string `json:"signed_by,omitempty"`
	// Records is the number of lines in records.jsonl.
	Records int64 `json:"records"`
	// LeafHashes is one of the LeafHashes constants.
	LeafHashes string `json:"leaf_hashes,omitempty"`
	// OldTreeSize is the size of the auditor's older checkpoint, 0 when
	// none was given. When OK, the bundle's log extends that checkpoint.
	OldTreeSize int64 `json:"old_tree_size,omitempty"`
	// Problem is the first thing found wrong, nil when OK.
	Problem *Problem `json:"problem,omitempty"`
}

// ParseVerifierKeys parses note verifier keys ("name+hash+data", as
// `tollgate audit key` prints them) into the set Verify checks signatures
// against. A bad key returns an *InputError for field "key".
func ParseVerifierKeys(keys ...string) (note.Verifiers, error) {
	if len(keys) == 0 {
		return nil, inputErrorf("key", "at least one verifier key is required")
	}
	vs := make([]note.Verifier, 0, len(keys))
	for _, k := range keys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, inputErrorf("key", "%q is not a verifier key: %v", k, err)
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}

// Verify checks an audit bundle (see Export) offline. It checks the
// checkpoint's signature against known; recomputes every record's leaf
// hash and the tree's root and compares them with the checkpoint; checks
// that every line is a canonical record whose sequence number is its
// position; and, when oldCheckpoint (a signed checkpoint the auditor kept
// from before) is not nil, that the bundle's log extends it.
//
// On failure Verify returns the report and a *VerifyError whose Problem
// names the first bad record and why (see the package documentation for
// how it is located). Errors reading the bundle return a nil report.
func Verify(ctx context.Context, bundle fs.FS, known note.Verifiers, oldCheckpoint []byte) (*Report, error) {
	if known == nil {
		return nil, fmt.Errorf("auditlog.Verify: %w", inputErrorf("key", "no verifier keys given"))
	}
	rep := &Report{}
	fail := func(p Problem) (*Report, error) {
		rep.Problem = &p
		return rep, &VerifyError{Problem: p}
	}
	msg, err := readFileLimit(bundle, CheckpointFile, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("auditlog.Verify: %w", err)
	}
	cp, sigs, err := OpenCheckpoint(msg, known)
	if err != nil {
		return fail(problemOf(err, ""))
	}
	rep.Checkpoint = &cp
	for _, s := range sigs {
		rep.SignedBy = append(rep.SignedBy, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	var old *Checkpoint
	if oldCheckpoint != nil {
		oc, _, err := OpenCheckpoint(oldCheckpoint, known)
		if err != nil {
			return fail(problemOf(err, "older checkpoint: "))
		}
		rep.OldTreeSize = oc.Size
		switch {
		case oc.Origin != cp.Origin:
			return fail(Problem{Kind: KindCheckpoint, Seq: -1, Message: fmt.Sprintf(
				"the older checkpoint is of log %q, the bundle of log %q", oc.Origin, cp.Origin)})
		case oc.Size > cp.Size:
			return fail(Problem{Kind: KindRollback, Seq: -1, Message: fmt.Sprintf(
				"the bundle's checkpoint has %d records, fewer than the %d of the older checkpoint", cp.Size, oc.Size)})
		}
		old = &oc
	}

	f, err := bundle.Open(RecordsFile)
	if err != nil {
		return nil, fmt.Errorf("auditlog.Verify: %w", err)
	}
	sc, err := scanRecords(ctx, f, cp.Size)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("auditlog.Verify: %w", err)
	}
	rep.Records = sc.count()

	auth, state, err := readLeafHashes(bundle, cp)
	if err != nil {
		return nil, fmt.Errorf("auditlog.Verify: %w", err)
	}
	rep.LeafHashes = state
	if p := locate(sc, cp, auth, old); p != nil {
		return fail(*p)
	}
	if old != nil && rootOfLeaves(sc.leaves[:old.Size]) != old.Hash {
		return fail(Problem{Kind: KindInconsistent, Seq: -1, Message: fmt.Sprintf(
			"the log's first %d records no longer produce the older checkpoint's root hash: its history was rewritten", old.Size)})
	}
	rep.OK = true
	return rep, nil
}

// problemOf returns the Problem of a *VerifyError from OpenCheckpoint.
func problemOf(err error, prefix string) Problem {
	var ve *VerifyError
	if errors.As(err, &ve) {
		p := ve.Problem
		p.Message = prefix + p.Message
		return p
	}
	return Problem{Kind: KindCheckpoint, Seq: -1, Message: prefix + err.Error()}
}

// readLeafHashes reads the bundle's leaf hashes and returns them when they
// reproduce the checkpoint's root hash, with their state.
func readLeafHashes(bundle fs.FS, cp Checkpoint) ([]tlog.Hash, string, error) {
	f, err := bundle.Open(LeafHashesFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, LeafHashesAbsent, nil
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("stat %s: %w", LeafHashesFile, err)
	}
	if st.Size()%tlog.HashSize != 0 || st.Size()/tlog.HashSize != cp.Size {
		return nil, LeafHashesMismatch, nil
	}
	br := bufio.NewReaderSize(f, 1<<20)
	hs := make([]tlog.Hash, cp.Size)
	for i := range hs {
		if _, err := io.ReadFull(br, hs[i][:]); err != nil {
			return nil, "", fmt.Errorf("read %s: %w", LeafHashesFile, err)
		}
	}
	if rootOfLeaves(hs) != cp.Hash {
		return nil, LeafHashesMismatch, nil
	}
	return hs, LeafHashesVerified, nil
}

func readFileLimit(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, limit)
	}
	return b, nil
}
