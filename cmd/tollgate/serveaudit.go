package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tollgate/auditlog"
	"tollgate/jobs"
	"tollgate/store"
)

// defaultCheckpointEvery is how often tollgate serve signs a checkpoint of
// the audit log when it grew.
const defaultCheckpointEvery = 10 * time.Minute

// auditKeyring holds a running server's checkpoint signing key and loads
// it again when its file changes, so that "tollgate audit rotate-key" takes
// effect without a restart.
type auditKeyring struct {
	path string
	log  *slog.Logger

	mu  sync.Mutex
	key *auditlog.Key
	mod time.Time
}

// openAuditKeyring loads the signing key from the data directory, creating
// it on first start.
func (c *cli) openAuditKeyring(log *slog.Logger) (*auditKeyring, error) {
	key, dir, err := c.signingKey()
	if err != nil {
		return nil, fmt.Errorf("serve: audit signing key: %w", err)
	}
	k := &auditKeyring{path: filepath.Join(dir, auditlog.KeyFileName), log: log, key: key}
	if st, err := os.Stat(k.path); err == nil {
		k.mod = st.ModTime()
	}
	log.Info("audit log signing key", slog.String("log", key.Name()), slog.String("verifier_key", key.VerifierKey()))
	return k, nil
}

// Key returns the current signing key. When the key file changed since it
// was read, it is read again; if that fails the key in hand is kept and the
// failure logged.
func (k *auditKeyring) Key() *auditlog.Key {
	k.mu.Lock()
	defer k.mu.Unlock()
	st, err := os.Stat(k.path)
	if err != nil || st.ModTime().Equal(k.mod) {
		return k.key
	}
	key, err := auditlog.LoadKey(filepath.Dir(k.path))
	switch {
	case err != nil:
		k.log.Error("cannot reload the audit signing key; still signing with the old one", slog.String("error", err.Error()))
	case key.Name() != k.key.Name():
		k.log.Error("the audit signing key file now holds a key of another log; ignoring it",
			slog.String("log", k.key.Name()), slog.String("file_log", key.Name()))
	case key.Hash() != k.key.Hash():
		k.log.Info("audit signing key changed", slog.String("verifier_key", key.VerifierKey()))
		k.key = key
	}
	k.mod = st.ModTime()
	return k.key
}

// checkpoint signs a checkpoint of the audit log unless the log did not
// grow since the last one, and logs it.
func (k *auditKeyring) checkpoint(ctx context.Context, db *store.DB) error {
	cp, err := db.AuditCheckpoint(ctx, k.Key())
	if err != nil {
		return err
	}
	k.log.Info("audit checkpoint", slog.Int64("size", cp.Checkpoint.Size),
		slog.String("root_hash", cp.Checkpoint.Hash.String()), slog.String("key_hash", cp.KeyHash))
	return nil
}

// registerCheckpoints makes signing a checkpoint a background job every
// interval, run by the replica holding the scheduler's lease; an interval
// of 0 registers none (serve still signs one at start and at shutdown).
func (k *auditKeyring) registerCheckpoints(s *jobs.Scheduler, db *store.DB, every time.Duration) {
	if every <= 0 {
		return
	}
	s.Register("audit.checkpoint", every, func(ctx context.Context) error { return k.checkpoint(ctx, db) })
}

// checkpointEvery resolves how often serve makes checkpoints: the flag
// when given, else $TOLLGATE_AUDIT_CHECKPOINT_EVERY, else the default.
func (c *cli) checkpointEvery(flag time.Duration, changed bool) (time.Duration, error) {
	every, from := flag, "--checkpoint-every"
	if !changed {
		every = defaultCheckpointEvery
		if env := c.getenv("TOLLGATE_AUDIT_CHECKPOINT_EVERY"); env != "" {
			d, err := time.ParseDuration(env)
			if err != nil {
				return 0, usageErrorf("TOLLGATE_AUDIT_CHECKPOINT_EVERY: want a duration such as 10m, not %q", env)
			}
			every, from = d, "TOLLGATE_AUDIT_CHECKPOINT_EVERY"
		}
	}
	if every < 0 || (every > 0 && every < time.Second) {
		return 0, usageErrorf("%s: want 0 (only at shutdown) or at least 1s, not %s", from, every)
	}
	return every, nil
}
