package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tollgate"
	"tollgate/auditlog"
)

// SignedCheckpoint is a checkpoint of the audit log as kept in the store:
// the checkpoint, its signed note (what auditors keep and what
// auditlog.OpenCheckpoint verifies), the signing key's hash and when it
// was made.
type SignedCheckpoint struct {
	Checkpoint auditlog.Checkpoint `json:"checkpoint"`
	Note       string              `json:"note"`
	KeyHash    string              `json:"key_hash"`
	CreatedAt  time.Time           `json:"created_at"`
}

// AuditCheckpoint returns a checkpoint of the whole audit log as it is now,
// signed with key. When the log has not grown since the latest checkpoint
// key signed, that checkpoint is returned; otherwise a new one is made,
// kept and returned. Checkpoints are not audit records themselves (a
// record of each would make the log grow forever).
func (db *DB) AuditCheckpoint(ctx context.Context, key *auditlog.Key) (*SignedCheckpoint, error) {
	size, err := db.AuditSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("store.AuditCheckpoint: %w", err)
	}
	keyHash := fmt.Sprintf("%08x", key.Hash())
	var cp *SignedCheckpoint
	err = db.viewOne(ctx, func(tx *Tx) (err error) {
		cp, err = scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+`
			FROM audit_checkpoints WHERE tree_size = ? AND key_hash = ?`, size, keyHash))
		return err
	})
	if err == nil {
		return cp, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store.AuditCheckpoint: %w", err)
	}
	c, err := auditlog.NewCheckpoint(ctx, db, key.Name(), size)
	if err != nil {
		return nil, fmt.Errorf("store.AuditCheckpoint: %w", err)
	}
	signed, err := key.Sign(c)
	if err != nil {
		return nil, fmt.Errorf("store.AuditCheckpoint: %w", err)
	}
	cp = &SignedCheckpoint{Checkpoint: c, Note: string(signed), KeyHash: keyHash}
	err = db.updateUnaudited(ctx, func(tx *Tx) error {
		cp.CreatedAt = tx.now
		// A replica that made the same checkpoint first wins; Ed25519
		// signatures are deterministic, so both notes are the same.
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (tree_size, key_hash, root_hash, note, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (tree_size, key_hash) DO NOTHING`,
			c.Size, keyHash, c.Hash.String(), signed, tx.Time(tx.now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.AuditCheckpoint: %w", err)
	}
	return cp, nil
}

// LatestAuditCheckpoint returns the kept checkpoint of the largest tree
// size (the newest among those of that size), or an ENOTFOUND error when
// none was made yet.
func (db *DB) LatestAuditCheckpoint(ctx context.Context) (*SignedCheckpoint, error) {
	var cp *SignedCheckpoint
	err := db.viewOne(ctx, func(tx *Tx) (err error) {
		cp, err = scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+`
			FROM audit_checkpoints ORDER BY tree_size DESC, created_at DESC LIMIT 1`))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = tollgate.Errorf(tollgate.ENOTFOUND, "no audit checkpoint has been made yet")
	}
	if err != nil {
		return nil, fmt.Errorf("store.LatestAuditCheckpoint: %w", err)
	}
	return cp, nil
}

const checkpointColumns = `tree_size, key_hash, note, created_at`

func scanCheckpoint(s scanner) (*SignedCheckpoint, error) {
	var (
		cp   SignedCheckpoint
		size int64
		note []byte
	)
	if err := s.Scan(&size, &cp.KeyHash, &note, timeColumn{&cp.CreatedAt}); err != nil {
		return nil, err
	}
	text := note // a signed note's text ends at the blank line before its signatures
	if i := bytes.Index(note, []byte("\n\n")); i >= 0 {
		text = note[:i+1]
	}
	c, err := auditlog.ParseCheckpoint(text)
	if err != nil {
		return nil, fmt.Errorf("kept checkpoint of size %d: %w", size, err)
	}
	cp.Checkpoint, cp.Note = c, string(note)
	return &cp, nil
}
