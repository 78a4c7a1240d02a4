package auditlog_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

func TestCheckpointText(t *testing.T) {
	c := auditlog.Checkpoint{Origin: "tollgate.example/audit", Size: 12, Hash: tlog.Hash{1, 2, 3}}
	want := "tollgate.example/audit\n12\n" + c.Hash.String() + "\n"
	if got := string(c.Text()); got != want {
		t.Fatalf("Text() = %q, want %q", got, want)
	}
	back, err := auditlog.ParseCheckpoint([]byte(want + "extension\n"))
	if err != nil || back != c {
		t.Fatalf("ParseCheckpoint = %+v, %v; want %+v", back, err, c)
	}
	tests := []struct{ name, text string }{
		{"NoNewline", "tollgate"},
		{"BadOrigin", "toll gate\n1\n" + c.Hash.String() + "\n"},
		{"PlusOrigin", "toll+gate\n1\n" + c.Hash.String() + "\n"},
		{"EmptyOrigin", "\n1\n" + c.Hash.String() + "\n"},
		{"BadSize", "tollgate\n01\n" + c.Hash.String() + "\n"},
		{"NegativeSize", "tollgate\n-1\n" + c.Hash.String() + "\n"},
		{"BadHash", "tollgate\n1\nAAAA\n"},
		{"MissingLine", "tollgate\n1\n"},
	}
	for _, tt := range tests {
		t.Run("Err"+tt.name, func(t *testing.T) {
			if _, err := auditlog.ParseCheckpoint([]byte(tt.text)); err == nil {
				t.Fatalf("ParseCheckpoint(%q) succeeded, want an error", tt.text)
			}
		})
	}
}

func TestOpenCheckpoint(t *testing.T) {
	key := mustKey(t, "tollgate")
	other := mustKey(t, "tollgate")     // same log name, another key
	stranger := mustKey(t, "elsewhere") // another log
	c := auditlog.Checkpoint{Origin: "tollgate", Size: 3, Hash: tlog.Hash{9}}
	signed, err := key.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	strangerSigned, err := stranger.Sign(auditlog.Checkpoint{Origin: "elsewhere", Size: 3, Hash: tlog.Hash{9}})
	if err != nil {
		t.Fatal(err)
	}
	// A valid signature by the "tollgate" key on another log's checkpoint.
	misnamed, err := note.Sign(&note.Note{Text: "elsewhere\n3\n" + c.Hash.String() + "\n"}, key.Signer())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		msg  []byte
		keys []*auditlog.Key
		kind string
	}{
		{"OK", signed, []*auditlog.Key{key}, ""},
		{"OKAmongOthers", signed, []*auditlog.Key{other, key, stranger}, ""},
		{"ErrWrongKey", signed, []*auditlog.Key{other}, auditlog.KindSignature},
		{"ErrOtherLog", signed, []*auditlog.Key{stranger}, auditlog.KindSignature},
		{"ErrAlteredSize", bytes.Replace(signed, []byte("\n3\n"), []byte("\n4\n"), 1), []*auditlog.Key{key}, auditlog.KindSignature},
		{"ErrNotANote", []byte("tollgate\n3\n"), []*auditlog.Key{key}, auditlog.KindCheckpoint},
		{"OKOtherLog", strangerSigned, []*auditlog.Key{stranger}, ""},
		{"ErrSignerNamesOtherLog", misnamed, []*auditlog.Key{key}, auditlog.KindSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vkeys []string
			for _, k := range tt.keys {
				vkeys = append(vkeys, k.VerifierKey())
			}
			known, err := auditlog.ParseVerifierKeys(vkeys...)
			if err != nil {
				t.Fatal(err)
			}
			got, sigs, err := auditlog.OpenCheckpoint(tt.msg, known)
			var ve *auditlog.VerifyError
			switch {
			case tt.kind == "" && err != nil:
				t.Fatalf("got %v, want success", err)
			case tt.kind == "" && (len(sigs) == 0 || got.Size != 3):
				t.Fatalf("got %+v with %d signatures", got, len(sigs))
			case tt.kind != "" && (!errors.As(err, &ve) || ve.Problem.Kind != tt.kind):
				t.Fatalf("got %v, want a %s problem", err, tt.kind)
			}
		})
	}
	if _, err := auditlog.SignCheckpoint(auditlog.Checkpoint{Origin: "elsewhere"}, key.Signer()); err == nil {
		t.Fatal("signing another log's checkpoint succeeded, want an error")
	}
	if _, err := auditlog.ParseVerifierKeys("tollgate+00000000+AAAA"); err == nil {
		t.Fatal("ParseVerifierKeys accepted a bad key")
	}
	if _, err := auditlog.ParseVerifierKeys(); err == nil {
		t.Fatal("ParseVerifierKeys accepted no keys")
	}
}

// TestVerifyCheckpoints checks the signature and older-checkpoint checks
// of Verify, across a key rotation.
func TestVerifyCheckpoints(t *testing.T) {
	ctx := context.Background()
	l := mustLog(t, 60, 6)
	old40 := l.checkpoint(t, 40)
	oldKey := l.key
	// Rotate: the bundle's checkpoint is signed by the new key.
	newKey, err := auditlog.GenerateKey(nil, oldKey.Name())
	if err != nil {
		t.Fatal(err)
	}
	audittest.MustAppend(t, l.store, auditlog.RotationRecord(audittest.SampleRecord(60).Time, auditlog.Actor{UserID: "admin"}, oldKey, newKey))
	l.key = newKey
	l.checkpoint(t, 61)
	dir := l.export(t)

	// A forked log: same first records but record 10 differs, signed by the old key.
	fork := mustLog(t, 50, 50)
	fork.store.Tamper(10, fabricated(t, 10))
	forked := &testLog{store: audittest.NewMemStore(), key: oldKey}
	for rec, err := range fork.store.Records(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		r, err := auditlog.ParseRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		audittest.MustAppend(t, forked.store, r)
	}
	forked50 := forked.checkpoint(t, 50)

	both := []string{oldKey.VerifierKey(), newKey.VerifierKey()}
	tests := []struct {
		name string
		keys []string
		old  []byte
		kind string
	}{
		{"OK", both, nil, ""},
		{"OKNewKeyOnly", both[1:], nil, ""},
		{"OKOlderCheckpoint", both, old40, ""},
		{"ErrOldKeyOnly", both[:1], nil, auditlog.KindSignature},
		{"ErrOlderCheckpointUnknownKey", both[1:], old40, auditlog.KindSignature},
		{"ErrForked", both, forked50, auditlog.KindInconsistent},
		{"ErrOlderCheckpointGarbage", both, []byte("not a note"), auditlog.KindCheckpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			known, err := auditlog.ParseVerifierKeys(tt.keys...)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := auditlog.Verify(ctx, os.DirFS(dir), known, tt.old)
			if tt.kind == "" {
				if err != nil || !rep.OK {
					t.Fatalf("got %+v, %v; want OK", rep, err)
				}
				if tt.old != nil && rep.OldTreeSize != 40 {
					t.Fatalf("got old tree size %d, want 40", rep.OldTreeSize)
				}
				return
			}
			checkProblem(t, rep, err, tt.kind, -1)
		})
	}
}

func TestVerifyRollback(t *testing.T) {
	l := mustLog(t, 30, 30)
	later := l.checkpoint(t, 30)
	l.checkpoint(t, 20) // the operator presents an older state
	dir := l.export(t)
	rep, err := auditlog.Verify(context.Background(), os.DirFS(dir), l.verifiers(t), later)
	checkProblem(t, rep, err, auditlog.KindRollback, -1)
	if !strings.Contains(err.Error(), "fewer than") {
		t.Fatalf("error %q does not explain the rollback", err)
	}
}
