package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"tollgate"
)

// PostgresBackupPractice is how to back up and restore a PostgreSQL store,
// which Backup and Restore leave to PostgreSQL's own tools: they copy a
// live database consistently, and only they can restore one in place.
const PostgresBackupPractice = `Back up a PostgreSQL store with PostgreSQL's own tools:
  pg_dump --format=custom --file=tollgate-$(date +%F).dump 'postgres://USER@HOST/DB'
      (one consistent snapshot, taken while every replica keeps serving; add
      --schema=NAME when the store lives in a schema chosen by search_path)
  pg_restore --exit-on-error --no-owner --dbname='postgres://USER@HOST/NEWDB' tollgate-DATE.dump
      (into a new, empty database; then point --db at it and start tollgate)
For recovery to a point in time, run continuous archiving instead
(pg_basebackup plus archive_command, or the managed service's snapshots),
and verify the audit log after a restore with tollgate audit verify.`

// Backup writes a consistent copy of the store to path, which must not
// exist yet, while the store keeps serving. On SQLite it runs VACUUM INTO
// on a connection of its own: the copy is one read snapshot (writers go on
// meanwhile), compacted, and is itself a SQLite store that Open or Restore
// takes. The file is written under a temporary name, synced and renamed, so
// path holds either nothing or a whole backup. On PostgreSQL Backup fails
// with EPRECONDITION: see PostgresBackupPractice.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.d != sqliteDialect {
		return fmt.Errorf("store.Backup: %w", tollgate.Errorf(tollgate.EPRECONDITION,
			"tollgate backup copies SQLite stores; back up PostgreSQL with pg_dump"))
	}
	if path == "" {
		return fmt.Errorf("store.Backup: %w", tollgate.FieldErrorf("out", "want a file path"))
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store.Backup: %w", tollgate.FieldErrorf("out", "%s already exists; choose a new file", path))
	}
	src, err := db.sqlitePath(ctx)
	if err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	tmp, err := tempName(path)
	if err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	defer os.Remove(tmp)
	// A connection of its own: the read pool is query_only, which VACUUM
	// INTO refuses, and the writer connection must stay free for writers.
	conn, err := sql.Open("sqlite", src+fmt.Sprintf("?_pragma=busy_timeout(%d)", sqliteBusyTimeoutMS))
	if err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store.Backup: %w", tollgate.FieldErrorf("out", "%s appeared while the backup ran", path))
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("store.Backup: %w", err)
	}
	return nil
}

// sqlitePath returns the file of the SQLite store.
func (db *DB) sqlitePath(ctx context.Context) (string, error) {
	var seq int
	var name, file string
	err := db.read.QueryRowContext(ctx, `SELECT seq, name, file FROM pragma_database_list WHERE name = 'main'`).Scan(&seq, &name, &file)
	if err != nil {
		return "", err
	}
	if file == "" {
		return "", errors.New("the SQLite store has no file")
	}
	return file, nil
}

// tempName returns a fresh temporary file next to path, so that renaming
// it to path is atomic. The file is empty, which VACUUM INTO accepts, and
// readable by its owner only (0600, os.CreateTemp's mode): a backup holds
// the whole store.
func tempName(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncFile flushes a file's contents to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename or removal in dir durable. Some systems cannot
// sync a directory; that is not an error there.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
