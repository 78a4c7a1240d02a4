package auditlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The files of an audit bundle directory.
const (
	// RecordsFile holds the records, one canonical encoding per line, in
	// sequence order from record 0.
	RecordsFile = "records.jsonl"
	// LeafHashesFile holds the log's leaf hashes as stored, 32 bytes per
	// record in sequence order: they let Verify name the first bad record.
	LeafHashesFile = "leafhashes.bin"
	// CheckpointFile holds the signed checkpoint the bundle is cut at.
	CheckpointFile = "checkpoint.note"
	// BuildFile describes the program that exported the bundle (its
	// version, VCS revision, time and dirty flag), as JSON. It is
	// information for the auditor: Verify neither needs nor trusts it.
	BuildFile = "build.json"
)

// exportBatch is how many leaf hashes Export asks the store for at once.
const exportBatch = 4096

// Export writes an audit bundle into dir (created 0700 if needed; the
// bundle's files, created 0600, must not exist yet): the first N records, where N is the size of
// the signed checkpoint, their leaf hashes as stored, read from hashes, and
// the checkpoint itself. records must yield the stored canonical encodings
// in sequence order from record 0; Export stops after N. It writes what
// the store holds without judging it, so that Verify can find whatever is
// wrong. It returns the number of records written.
func Export(ctx context.Context, dir string, signedCheckpoint []byte, records iter.Seq2[[]byte, error], hashes HashReader) (n int64, err error) {
	cp, err := peekCheckpoint(signedCheckpoint)
	if err != nil {
		return 0, fmt.Errorf("auditlog.Export: %w", err)
	}
	// A bundle holds every record of the log: readable by its owner only,
	// who hands it to the auditor.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("auditlog.Export: %w", err)
	}
	var created []string
	defer func() {
		if err != nil {
			for _, p := range created {
				os.Remove(p)
			}
		}
	}()
	create := func(name string) (*os.File, error) {
		p := filepath.Join(dir, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			created = append(created, p)
		}
		return f, err
	}
	if err := writeFile(create, CheckpointFile, func(w *bufio.Writer) error {
		_, err := w.Write(signedCheckpoint)
		return err
	}); err != nil {
		return 0, fmt.Errorf("auditlog.Export: %w", err)
	}
	var written int64
	if err := writeFile(create, RecordsFile, func(w *bufio.Writer) (err error) {
		written, err = writeRecords(ctx, w, records, cp.Size)
		return err
	}); err != nil {
		return 0, fmt.Errorf("auditlog.Export: %w", err)
	}
	if err := writeFile(create, LeafHashesFile, func(w *bufio.Writer) error {
		return writeLeafHashes(ctx, w, hashes, cp.Size)
	}); err != nil {
		return 0, fmt.Errorf("auditlog.Export: %w", err)
	}
	return written, nil
}

// WriteBuild writes build, encoded as indented JSON, to the BuildFile of
// the bundle in dir, which must not exist yet.
func WriteBuild(dir string, build any) error {
	b, err := json.MarshalIndent(build, "", "  ")
	if err != nil {
		return fmt.Errorf("auditlog.WriteBuild: %w", err)
	}
	create := func(name string) (*os.File, error) {
		return os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}
	if err := writeFile(create, BuildFile, func(w *bufio.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("auditlog.WriteBuild: %w", err)
	}
	return nil
}

// peekCheckpoint parses a signed checkpoint without checking signatures:
// the exporter trusts its own checkpoint; the auditor checks it.
func peekCheckpoint(msg []byte) (Checkpoint, error) {
	_, err := note.Open(msg, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return Checkpoint{}, inputErrorf("checkpoint", "not a signed note: %v", err)
	}
	return ParseCheckpoint([]byte(unverified.Note.Text))
}

// writeFile creates name, lets fill write it, and syncs and closes it.
func writeFile(create func(string) (*os.File, error), name string, fill func(*bufio.Writer) error) error {
	f, err := create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func writeRecords(ctx context.Context, w *bufio.Writer, records iter.Seq2[[]byte, error], size int64) (int64, error) {
	var n int64
	if size == 0 {
		return 0, nil
	}
	for rec, err := range records {
		if err != nil {
			return n, err
		}
		if n%exportBatch == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		w.Write(rec)
		if err := w.WriteByte('\n'); err != nil {
			return n, err
		}
		if n++; n == size {
			return n, nil
		}
	}
	return n, fmt.Errorf("the store yielded %d records, the checkpoint has %d", n, size)
}

func writeLeafHashes(ctx context.Context, w *bufio.Writer, hashes HashReader, size int64) error {
	idx := make([]int64, 0, exportBatch)
	for lo := int64(0); lo < size; lo += exportBatch {
		idx = idx[:0]
		for i := lo; i < min(lo+exportBatch, size); i++ {
			idx = append(idx, tlog.StoredHashIndex(0, i))
		}
		hs, err := hashes.ReadHashes(ctx, idx)
		if err != nil {
			return err
		}
		if len(hs) != len(idx) {
			return fmt.Errorf("ReadHashes(%d indexes) = %d hashes", len(idx), len(hs))
		}
		for _, h := range hs {
			if _, err := w.Write(h[:]); err != nil {
				return err
			}
		}
	}
	return nil
}
