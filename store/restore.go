package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"tollgate"
)

// RestoreOptions tunes Restore.
type RestoreOptions struct {
	// Force lets Restore replace a store that holds data.
	Force bool
	// Now is the clock for the migrations Restore applies to a backup
	// made by an older tollgate; nil means time.Now.
	Now func() time.Time
}

// RestoreReport says what Restore did.
type RestoreReport struct {
	Path     string   // the SQLite file restored into
	Replaced bool     // a store holding data was replaced (Force)
	Backup   []string // the migrations the backup had, oldest first
	Applied  []string // the migrations Restore applied on top
}

// Restore replaces the SQLite store named by dsn with a copy of the backup
// file src (one Backup wrote, or any copy of a stopped store). It checks
// first that src is an intact SQLite database (quick_check) holding a
// tollgate store whose migrations this binary knows, unedited; that no
// process has the store at dsn open (stop tollgate serve first); and,
// unless opts.Force, that the store holds nothing beyond what migrations
// create. The copy is synced and renamed into place, then opened once so
// that migrations newer than the backup are applied. src is never changed.
// A PostgreSQL dsn fails with EPRECONDITION: see PostgresBackupPractice.
func Restore(ctx context.Context, src, dsn string, opts RestoreOptions) (*RestoreReport, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rep, err := restore(ctx, src, dsn, opts)
	if err != nil {
		return nil, fmt.Errorf("store.Restore: %w", err)
	}
	return rep, nil
}

func restore(ctx context.Context, src, dsn string, opts RestoreOptions) (*RestoreReport, error) {
	kind, dst := parseDSN(dsn)
	switch {
	case kind == "postgres":
		return nil, tollgate.Errorf(tollgate.EPRECONDITION, "tollgate restore writes SQLite stores; restore PostgreSQL with pg_restore")
	case kind != "sqlite" || dst == "" || dst == ":memory:" || strings.ContainsAny(dst, "?#"):
		return nil, tollgate.FieldErrorf("db", "want sqlite:PATH or a postgres:// URL; got %q", dsn)
	}
	rep := &RestoreReport{Path: dst}
	var err error
	if rep.Backup, err = checkBackup(ctx, src); err != nil {
		return nil, err
	}
	hasData, err := checkTarget(ctx, dst, opts.Now)
	if err != nil {
		return nil, err
	}
	if hasData && !opts.Force {
		return nil, tollgate.Errorf(tollgate.ECONFLICT, "the store %s holds data; restore with --force to replace it", dst)
	}
	rep.Replaced = hasData
	if err := copyInto(src, dst); err != nil {
		return nil, err
	}
	db, err := Open(ctx, "sqlite:"+dst, opts.Now)
	if err != nil {
		return nil, fmt.Errorf("open the restored store: %w", err)
	}
	defer db.Close()
	after, err := db.SchemaVersions(ctx)
	if err != nil {
		return nil, err
	}
	rep.Applied = slices.DeleteFunc(after, func(v string) bool { return slices.Contains(rep.Backup, v) })
	return rep, nil
}

// checkBackup opens src read-only and returns its applied migrations,
// failing with EINVALID (field "backup") unless it is an intact tollgate
// SQLite store whose every migration this binary knows, unedited.
func checkBackup(ctx context.Context, src string) ([]string, error) {
	bad := func(format string, args ...any) error {
		return tollgate.FieldErrorf("backup", "%s: "+format, append([]any{src}, args...)...)
	}
	fi, err := os.Stat(src)
	switch {
	case err != nil:
		return nil, bad("%v", err)
	case !fi.Mode().IsRegular() || fi.Size() == 0:
		return nil, bad("not a backup file (empty, or not a regular file)")
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return nil, bad("%v", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "mode=ro"}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, bad("%v", err)
	}
	defer conn.Close()
	var check string
	if err := conn.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return nil, bad("not a SQLite database (%v)", err)
	}
	if check != "ok" {
		return nil, bad("the SQLite database is damaged (%s)", check)
	}
	rows, err := conn.QueryContext(ctx, `SELECT version, digest FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, bad("not a tollgate store (no schema_migrations table)")
	}
	defer rows.Close()
	known, err := migrations(sqliteDialect.name)
	if err != nil {
		return nil, err
	}
	var versions []string
	for rows.Next() {
		var v, digest string
		if err := rows.Scan(&v, &digest); err != nil {
			return nil, bad("%v", err)
		}
		i := slices.IndexFunc(known, func(m migration) bool { return m.version == v })
		switch {
		case i < 0:
			return nil, bad("has migration %s, which this tollgate does not know; restore it with the tollgate that made it", v)
		case known[i].digest != digest:
			return nil, bad("its migration %s differs from this tollgate's", v)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return nil, bad("%v", err)
	}
	if len(versions) == 0 || versions[0] != known[0].version {
		return nil, bad("not a tollgate store (migration %s not applied)", known[0].version)
	}
	return versions, nil
}

// checkTarget reports whether the SQLite file dst holds data: rows beyond
// those a freshly migrated store has. It fails with ECONFLICT when another
// connection has dst open: leaving WAL mode, which it does on the way,
// needs the database to itself. A missing or empty file holds no data.
func checkTarget(ctx context.Context, dst string, now func() time.Time) (bool, error) {
	if fi, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0 {
		return false, nil
	} else if err != nil {
		return false, err
	}
	conn, err := sql.Open("sqlite", dst+"?_pragma=busy_timeout(1000)")
	if err != nil {
		return false, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		var e *sqlite.Error
		if errors.As(err, &e) && e.Code() == sqlite3.SQLITE_NOTADB {
			return true, nil // something else: only --force may replace it
		}
		return false, tollgate.Errorf(tollgate.ECONFLICT, "the store %s is in use (is tollgate serve running on it?); stop it first (%v)", dst, err)
	}
	counts, err := tableCounts(ctx, conn)
	if err != nil {
		return false, err
	}
	fresh, err := freshCounts(ctx, now)
	if err != nil {
		return false, err
	}
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		if counts[name] > fresh[name] {
			return true, nil
		}
	}
	return false, nil
}

// tableCounts returns the row count of every table of a SQLite database
// but schema_migrations and SQLite's own.
func tableCounts(ctx context.Context, conn *sql.DB) (map[string]int64, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		q := `SELECT count(*) FROM "` + strings.ReplaceAll(n, `"`, `""`) + `"`
		if err := conn.QueryRowContext(ctx, q).Scan(&c); err != nil {
			return nil, err
		}
		counts[n] = c
	}
	return counts, nil
}

// freshCounts returns tableCounts of a newly migrated SQLite store: the
// rows migrations seed (the audit log's size row, for one).
func freshCounts(ctx context.Context, now func() time.Time) (map[string]int64, error) {
	dir, err := os.MkdirTemp("", "tollgate-restore-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := Open(ctx, "sqlite:"+filepath.Join(dir, "fresh.db"), now)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return tableCounts(ctx, db.read)
}

// copyInto copies src to a temporary file next to dst, syncs it, clears
// dst's leftover journal files and renames the copy over dst.
func copyInto(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".restore-*")
	if err != nil {
		return err
	}
	tmp := out.Name()
	defer os.Remove(tmp)
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	// A stale WAL next to the new file would be replayed into it.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}
