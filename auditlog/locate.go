package auditlog

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// locate returns the first problem of the scanned records against the
// signed checkpoint cp, or nil when they are exactly its records. auth is
// the bundle's leaf hashes when they reproduce cp's root (nil otherwise),
// old the auditor's older checkpoint (may be nil). See the package
// documentation for the approach.
func locate(sc *scan, cp Checkpoint, auth []tlog.Hash, old *Checkpoint) *Problem {
	n, count := cp.Size, sc.count()
	if auth != nil {
		i := int64(0)
		for i < min(n, count) && sc.leaves[i] == auth[i] {
			i++
		}
		if sc.problem >= 0 && sc.problem < i {
			return malformed(sc)
		}
		if i == n && count == n {
			return nil
		}
		return classify(sc, i, n, hashIdentity{leaves: sc.leaves, auth: auth})
	}
	if count >= n && rootOfLeaves(sc.leaves[:n]) == cp.Hash {
		switch {
		case sc.problem >= 0 && sc.problem < n:
			return malformed(sc)
		case count == n:
			return nil
		}
		return classify(sc, n, n, seqIdentity(sc.seqs))
	}
	// The records differ from the log, and nothing in the bundle that the
	// signature covers can say where: fall back on what the records say
	// about themselves.
	switch {
	case sc.problem >= 0 && sc.problem < n:
		return classify(sc, sc.problem, n, seqIdentity(sc.seqs))
	case count < n:
		return classify(sc, count, n, seqIdentity(sc.seqs))
	}
	msg := "the records do not produce the checkpoint's root hash, and leafhashes.bin is absent or altered, so the changed record cannot be named"
	if old != nil && old.Size <= count {
		if rootOfLeaves(sc.leaves[:old.Size]) == old.Hash {
			msg += fmt.Sprintf("; the first %d records match the older checkpoint, so the change is at record %d or later", old.Size, old.Size)
		} else {
			msg += fmt.Sprintf("; the change is before record %d, the older checkpoint's size", old.Size)
		}
	}
	return &Problem{Kind: KindMismatch, Seq: -1, Message: msg}
}

// An identity tells which logged record a line holds.
type identity interface {
	// id returns the sequence number of the record line i holds, or -1.
	id(i int64) int64
	// find returns a line other than line not that holds record seq, or -1.
	find(seq, not int64) int64
}

// hashIdentity identifies lines by their leaf hash among the authenticated
// leaf hashes.
type hashIdentity struct{ leaves, auth []tlog.Hash }

func (h hashIdentity) id(i int64) int64 { return indexOf(h.auth, h.leaves[i], -1) }

func (h hashIdentity) find(seq, not int64) int64 {
	if seq >= int64(len(h.auth)) {
		return -1
	}
	return indexOf(h.leaves, h.auth[seq], not)
}

func indexOf(hs []tlog.Hash, h tlog.Hash, not int64) int64 {
	for i := range hs {
		if hs[i] == h && int64(i) != not {
			return int64(i)
		}
	}
	return -1
}

// seqIdentity identifies lines by the sequence number they claim.
type seqIdentity []int64

func (s seqIdentity) id(i int64) int64 { return s[i] }

func (s seqIdentity) find(seq, not int64) int64 {
	for i, x := range s {
		if x == seq && int64(i) != not {
			return int64(i)
		}
	}
	return -1
}

// classify names what happened at position i, the first at which the
// lines depart from the log of n records.
func classify(sc *scan, i, n int64, ident identity) *Problem {
	count := sc.count()
	switch {
	case i >= count:
		return &Problem{Kind: KindTruncated, Seq: i, Message: fmt.Sprintf(
			"the bundle ends after %d of the checkpoint's %d records", count, n)}
	case i >= n:
		return &Problem{Kind: KindExtra, Seq: i, Line: i + 1, Message: fmt.Sprintf(
			"the bundle holds %d records, more than the checkpoint's %d", count, n)}
	}
	detail := ""
	if sc.problem == i {
		detail = " (it " + sc.problemMsg + ")"
	}
	p := &Problem{Seq: i, Line: i + 1}
	j := ident.id(i)
	switch {
	case j < 0 && i == count-1 && sc.unterminated:
		p.Kind, p.Message = KindTruncated, fmt.Sprintf("line %d, the last, is cut short%s", i+1, detail)
	case j < 0 && i+1 < count && ident.id(i+1) == i:
		p.Kind, p.Message = KindInserted, fmt.Sprintf("line %d is not a logged record; record %d follows it%s", i+1, i, detail)
	case j < 0:
		p.Kind, p.Message = KindAltered, fmt.Sprintf("line %d differs from the logged record %d%s", i+1, i, detail)
	case j == i:
		p.Kind, p.Message = KindMalformed, "the log itself holds a bad record"+detail
	case j < i:
		p.Kind, p.Message = KindInserted, fmt.Sprintf("line %d repeats record %d", i+1, j)
	default:
		if m := ident.find(i, i); m >= 0 {
			p.Kind, p.Message = KindReordered, fmt.Sprintf("record %d is at line %d; line %d holds record %d", i, m+1, i+1, j)
		} else {
			p.Kind, p.Message = KindMissing, fmt.Sprintf("record %d is not in the bundle; line %d holds record %d", i, i+1, j)
		}
	}
	return p
}

// malformed reports the first bad line of a log whose lines are what was
// logged: the log itself holds a record that is not canonical or is out of
// sequence.
func malformed(sc *scan) *Problem {
	return &Problem{Kind: KindMalformed, Seq: sc.problem, Line: sc.problem + 1,
		Message: fmt.Sprintf("the log itself holds a bad record: line %d %s", sc.problem+1, sc.problemMsg)}
}
