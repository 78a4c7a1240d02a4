package auditlog_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

const bundleSize = 100

// tamper edits the lines of records.jsonl (without their newlines).
type tamper func(lines [][]byte) [][]byte

// fabricated is a well-formed record line that was never logged.
func fabricated(tb testing.TB, seq int64) []byte {
	tb.Helper()
	r := audittest.SampleRecord(seq)
	r.Seq, r.ObjectID = seq, "forged"
	b, err := r.Canonical()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func recordTampers(t *testing.T) map[string]tamper {
	return map[string]tamper{
		"AlterByte": func(l [][]byte) [][]byte {
			l[37] = bytes.Replace(l[37], []byte("org-"), []byte("org_"), 1)
			return l
		},
		"AlterBreaksJSON": func(l [][]byte) [][]byte { l[12][0] = '['; return l },
		"Delete":          func(l [][]byte) [][]byte { return slices.Delete(l, 50, 51) },
		"DeleteFirst":     func(l [][]byte) [][]byte { return l[1:] },
		"DeleteLast":      func(l [][]byte) [][]byte { return l[:len(l)-1] },
		"Swap":            func(l [][]byte) [][]byte { l[20], l[60] = l[60], l[20]; return l },
		"SwapAdjacent":    func(l [][]byte) [][]byte { l[5], l[6] = l[6], l[5]; return l },
		"Truncate":        func(l [][]byte) [][]byte { return l[:70] },
		"Empty":           func(l [][]byte) [][]byte { return nil },
		"Insert":          func(l [][]byte) [][]byte { return slices.Insert(l, 30, fabricated(t, 30)) },
		"Duplicate":       func(l [][]byte) [][]byte { return slices.Insert(l, 31, l[30]) },
		"Extra":           func(l [][]byte) [][]byte { return append(l, fabricated(t, bundleSize)) },
		"LongLine": func(l [][]byte) [][]byte {
			l[40] = bytes.Repeat([]byte("x"), 3*auditlog.MaxRecordSize)
			return l
		},
	}
}

func TestVerifyTampering(t *testing.T) {
	l := mustLog(t, bundleSize, 7)
	known := l.verifiers(t)
	// want: by leaf-hash state, the kind and record Verify must name.
	type want struct {
		kind string
		seq  int64
	}
	tests := []struct {
		name              string
		withHashes, blind want // leafhashes.bin intact; leafhashes.bin absent or rewritten
	}{
		{"AlterByte", want{auditlog.KindAltered, 37}, want{auditlog.KindMismatch, -1}},
		{"AlterBreaksJSON", want{auditlog.KindAltered, 12}, want{auditlog.KindAltered, 12}},
		{"Delete", want{auditlog.KindMissing, 50}, want{auditlog.KindMissing, 50}},
		{"DeleteFirst", want{auditlog.KindMissing, 0}, want{auditlog.KindMissing, 0}},
		{"DeleteLast", want{auditlog.KindTruncated, 99}, want{auditlog.KindTruncated, 99}},
		{"Swap", want{auditlog.KindReordered, 20}, want{auditlog.KindReordered, 20}},
		{"SwapAdjacent", want{auditlog.KindReordered, 5}, want{auditlog.KindReordered, 5}},
		{"Truncate", want{auditlog.KindTruncated, 70}, want{auditlog.KindTruncated, 70}},
		{"Empty", want{auditlog.KindTruncated, 0}, want{auditlog.KindTruncated, 0}},
		{"Insert", want{auditlog.KindInserted, 30}, want{auditlog.KindInserted, 31}},
		{"Duplicate", want{auditlog.KindInserted, 31}, want{auditlog.KindInserted, 31}},
		{"Extra", want{auditlog.KindExtra, bundleSize}, want{auditlog.KindExtra, bundleSize}},
		{"LongLine", want{auditlog.KindAltered, 40}, want{auditlog.KindAltered, 40}},
	}
	tampers := recordTampers(t)
	for _, tt := range tests {
		for _, hashes := range []string{"Intact", "Absent", "Rewritten"} {
			t.Run(tt.name+"/LeafHashes"+hashes, func(t *testing.T) {
				dir := l.export(t)
				lines := readLines(t, dir)
				lines = tampers[tt.name](lines)
				writeLines(t, dir, lines)
				w := tt.withHashes
				switch hashes {
				case "Absent":
					os.Remove(filepath.Join(dir, auditlog.LeafHashesFile))
					w = tt.blind
				case "Rewritten":
					// An attacker recomputes the leaf hashes of the tampered records.
					var b []byte
					for _, line := range lines {
						h := tlog.RecordHash(line)
						b = append(b, h[:]...)
					}
					mustWrite(t, filepath.Join(dir, auditlog.LeafHashesFile), b)
					w = tt.blind
				}
				rep, err := auditlog.Verify(context.Background(), os.DirFS(dir), known, nil)
				checkProblem(t, rep, err, w.kind, w.seq)
			})
		}
	}
}

// checkProblem checks that Verify failed with the given kind and record.
func checkProblem(t *testing.T, rep *auditlog.Report, err error, kind string, seq int64) {
	t.Helper()
	var ve *auditlog.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("Verify error = %v, want a VerifyError", err)
	}
	if got := ve.Problem; got.Kind != kind || got.Seq != seq {
		t.Fatalf("got %s at record %d (%s), want %s at record %d", got.Kind, got.Seq, got.Message, kind, seq)
	}
	t.Log(err)
	if rep == nil || rep.OK || rep.Problem == nil || *rep.Problem != ve.Problem {
		t.Fatalf("report %+v does not carry the problem %+v", rep, ve.Problem)
	}
	if seq >= 0 && !strings.HasPrefix(err.Error(), "record ") {
		t.Fatalf("error %q does not name the record", err)
	}
}

func readLines(t *testing.T, dir string) [][]byte {
	t.Helper()
	b := mustRead(t, filepath.Join(dir, auditlog.RecordsFile))
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func writeLines(t *testing.T, dir string, lines [][]byte) {
	t.Helper()
	var b []byte
	for _, l := range lines {
		b = append(append(b, l...), '\n')
	}
	mustWrite(t, filepath.Join(dir, auditlog.RecordsFile), b)
}

func TestVerifyTruncatedMidLine(t *testing.T) {
	l := mustLog(t, bundleSize, 10)
	dir := l.export(t)
	p := filepath.Join(dir, auditlog.RecordsFile)
	b := mustRead(t, p)
	cut := bytes.Index(b, []byte(`"seq":70,`))
	mustWrite(t, p, b[:cut])
	rep, err := auditlog.Verify(context.Background(), os.DirFS(dir), l.verifiers(t), nil)
	checkProblem(t, rep, err, auditlog.KindTruncated, 70)
}

func TestVerifyStoreTampered(t *testing.T) {
	// An operator edits a record in the database after it was logged: the
	// stored leaf hashes still hold the logged record, so the export names it.
	l := mustLog(t, bundleSize, 10)
	r := audittest.SampleRecord(8)
	r.Seq, r.Action = 8, "license.revoke"
	forged, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	l.store.Tamper(8, forged)
	dir := l.export(t)
	rep, err := auditlog.Verify(context.Background(), os.DirFS(dir), l.verifiers(t), nil)
	checkProblem(t, rep, err, auditlog.KindAltered, 8)
}

func TestVerifyOK(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 64, 65, bundleSize} {
		l := mustLog(t, n, 9)
		dir := l.export(t)
		rep, err := auditlog.Verify(context.Background(), os.DirFS(dir), l.verifiers(t), nil)
		if err != nil {
			t.Fatalf("size %d: Verify: %v", n, err)
		}
		if !rep.OK || rep.Records != n || rep.Checkpoint == nil || *rep.Checkpoint != l.cp || rep.LeafHashes != auditlog.LeafHashesVerified {
			t.Fatalf("size %d: got report %+v", n, rep)
		}
		if want := l.key.Name() + "+"; len(rep.SignedBy) != 1 || !strings.HasPrefix(rep.SignedBy[0], want) {
			t.Fatalf("size %d: signed by %v, want one signature by %s…", n, rep.SignedBy, want)
		}
		os.Remove(filepath.Join(dir, auditlog.LeafHashesFile))
		rep, err = auditlog.Verify(context.Background(), os.DirFS(dir), l.verifiers(t), nil)
		if err != nil || !rep.OK || rep.LeafHashes != auditlog.LeafHashesAbsent {
			t.Fatalf("size %d without leaf hashes: got %+v, %v", n, rep, err)
		}
	}
}

// TestExportPrivate checks that a bundle, which holds every record of the
// log, is readable by its owner only.
func TestExportPrivate(t *testing.T) {
	dir := mustLog(t, 3, 9).export(t)
	want := map[string]os.FileMode{".": 0o700, auditlog.CheckpointFile: 0o600, auditlog.RecordsFile: 0o600, auditlog.LeafHashesFile: 0o600}
	for name, mode := range want {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %v, want %v", name, got, mode)
		}
	}
}

func TestExportErrors(t *testing.T) {
	ctx := context.Background()
	l := mustLog(t, 20, 20)
	t.Run("ErrExists", func(t *testing.T) {
		dir := l.export(t)
		if _, err := auditlog.Export(ctx, dir, l.signed, l.store.Records(ctx, 0), l.store); !errors.Is(err, os.ErrExist) {
			t.Fatalf("exporting over a bundle: %v, want ErrExist", err)
		}
	})
	t.Run("ErrTooFewRecords", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "b")
		_, err := auditlog.Export(ctx, dir, l.signed, l.store.Records(ctx, 5), l.store)
		if err == nil || !strings.Contains(err.Error(), "15 records") {
			t.Fatalf("got %v, want an error counting 15 records", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("a failed export left %d files", len(entries))
		}
	})
	t.Run("ErrNotANote", func(t *testing.T) {
		if _, err := auditlog.Export(ctx, t.TempDir(), []byte("20\n"), l.store.Records(ctx, 0), l.store); err == nil {
			t.Fatal("exporting with a bad checkpoint succeeded")
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		dir := l.export(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		rep, err := auditlog.Verify(cctx, os.DirFS(dir), l.verifiers(t), nil)
		if rep != nil || !errors.Is(err, context.Canceled) {
			t.Fatalf("Verify with a canceled context = %+v, %v; want context.Canceled", rep, err)
		}
	})
}
