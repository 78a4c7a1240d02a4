package auditlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint names a state of the log: its origin (the log's name, which
// is also the name of the key that signs it), its size and its root hash.
type Checkpoint struct {
	Origin string    `json:"origin"`
	Size   int64     `json:"size"`
	Hash   tlog.Hash `json:"hash"`
}

// Tree returns the checkpoint's tree, as tlog describes it.
func (c Checkpoint) Tree() tlog.Tree { return tlog.Tree{N: c.Size, Hash: c.Hash} }

// goSumTreeLine is the first line tlog.FormatTree writes; a checkpoint puts
// its origin there instead (the transparency-log checkpoint format of
// C2SP, which sumdb's tree note predates).
const goSumTreeLine = "go.sum database tree\n"

// Text returns the checkpoint's note text: three lines, the origin, the
// size in decimal and the root hash in base64, each ending in a newline.
// It is tlog.FormatTree's text with the origin as its first line.
func (c Checkpoint) Text() []byte {
	body := bytes.TrimPrefix(tlog.FormatTree(c.Tree()), []byte(goSumTreeLine))
	return append([]byte(c.Origin+"\n"), body...)
}

// ParseCheckpoint parses a checkpoint's note text (not a signed note; see
// OpenCheckpoint). Lines after the third are ignored, as tlog.ParseTree
// ignores them, for forward compatibility.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	origin, rest, ok := bytes.Cut(text, []byte("\n"))
	if !ok {
		return Checkpoint{}, inputErrorf("checkpoint", "no origin line")
	}
	if err := checkOrigin(string(origin)); err != nil {
		return Checkpoint{}, err
	}
	tree, err := tlog.ParseTree(append([]byte(goSumTreeLine), rest...))
	if err != nil {
		return Checkpoint{}, inputErrorf("checkpoint", "malformed size or root hash")
	}
	c := Checkpoint{Origin: string(origin), Size: tree.N, Hash: tree.Hash}
	if !bytes.HasPrefix(text, c.Text()) {
		// One checkpoint, one spelling: base64 with stray bits is rejected.
		return Checkpoint{}, inputErrorf("checkpoint", "root hash is not in canonical base64")
	}
	return c, nil
}

// checkOrigin reports whether s can name a log: it must be usable as a note
// key name (non-empty UTF-8 without spaces or '+').
func checkOrigin(s string) error {
	if s == "" || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '+' || r < 0x20
	}) {
		return inputErrorf("origin", "%q is not a valid log name (non-empty, no spaces or '+')", s)
	}
	return nil
}

// NewCheckpoint returns the checkpoint of the first size records of the log
// that r reads.
func NewCheckpoint(ctx context.Context, r HashReader, origin string, size int64) (Checkpoint, error) {
	if err := checkOrigin(origin); err != nil {
		return Checkpoint{}, fmt.Errorf("auditlog.NewCheckpoint: %w", err)
	}
	h, err := TreeHash(ctx, r, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("auditlog.NewCheckpoint: %w", err)
	}
	return Checkpoint{Origin: origin, Size: size, Hash: h}, nil
}

// SignCheckpoint returns c as a note signed by signer. The signer's name
// must be the checkpoint's origin, so that a verifier key names its log.
func SignCheckpoint(c Checkpoint, signer note.Signer) ([]byte, error) {
	if c.Origin != signer.Name() {
		return nil, fmt.Errorf("auditlog.SignCheckpoint: %w",
			inputErrorf("origin", "%q differs from the signing key's name %q", c.Origin, signer.Name()))
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Text())}, signer)
	if err != nil {
		return nil, fmt.Errorf("auditlog.SignCheckpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint note against the known
// verifiers and parses it. At least one signature must be by a known key
// whose name is the checkpoint's origin; signatures by unknown keys are
// ignored. It returns the checkpoint and the verified signatures. A note
// with no signature by a known key, or an invalid signature by one, returns
// a *VerifyError of kind KindSignature; a malformed note one of kind
// KindCheckpoint.
func OpenCheckpoint(msg []byte, known note.Verifiers) (Checkpoint, []note.Signature, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Checkpoint{}, nil, checkpointErr(KindSignature, "the checkpoint is not signed by any of the given keys")
		case errors.As(err, &invalid):
			return Checkpoint{}, nil, checkpointErr(KindSignature, "the checkpoint's signature by "+invalid.Name+" is invalid")
		}
		return Checkpoint{}, nil, checkpointErr(KindCheckpoint, "the checkpoint is not a signed note: "+err.Error())
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, nil, checkpointErr(KindCheckpoint, err.Error())
	}
	for _, s := range n.Sigs {
		if s.Name == c.Origin {
			return c, n.Sigs, nil
		}
	}
	return Checkpoint{}, nil, checkpointErr(KindSignature,
		fmt.Sprintf("the checkpoint of log %q is signed only by keys of other logs", c.Origin))
}

func checkpointErr(kind, msg string) *VerifyError {
	return &VerifyError{Problem: Problem{Kind: kind, Seq: -1, Message: msg}}
}
