package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// migrationsFS holds the schema, one directory per dialect. A migration is
// never edited once released: the store records each file's digest and
// refuses to start when an applied migration's file has changed.
//
//go:embed migrations
var migrationsFS embed.FS

// migrationLockKey is the first key of the PostgreSQL advisory lock that
// serializes migrations of one schema across replicas starting together.
const migrationLockKey = 0x746f6c6c // "toll"

// migration is one schema change, named by its file (0001_init).
type migration struct {
	version string
	sql     string
	digest  string
}

// migrations returns the dialect's migrations in the order to apply them.
func migrations(dialectName string) ([]migration, error) {
	dir := path.Join("migrations", dialectName)
	names, err := fs.Glob(migrationsFS, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]migration, 0, len(names))
	for _, name := range names {
		b, err := migrationsFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out = append(out, migration{
			version: strings.TrimSuffix(path.Base(name), ".sql"),
			sql:     string(b),
			digest:  hex.EncodeToString(sum[:]),
		})
	}
	return out, nil
}

// migrate applies the migrations not yet recorded in schema_migrations, all
// in one transaction (both databases have transactional DDL). It runs at
// READ COMMITTED on PostgreSQL so that, once it holds the advisory lock, it
// sees what a replica that migrated first committed.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations(db.d.name)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer sqlTx.Rollback()
	tx := &Tx{q: sqlTx, d: db.d, now: db.now().UTC().Truncate(time.Microsecond)}
	if db.d == postgresDialect {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(coalesce(current_schema(), '')))`, migrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	timeType := "TEXT"
	if db.d == postgresDialect {
		timeType = "TIMESTAMPTZ"
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY,
		digest TEXT NOT NULL,
		applied_at `+timeType+` NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if digest, ok := applied[m.version]; ok {
			if digest != m.digest {
				return fmt.Errorf("migrate: migration %s/%s was edited after it was applied (digest %s, applied %s)", db.d.name, m.version, m.digest, digest)
			}
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.version, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, digest, applied_at) VALUES (?, ?, ?)`,
			m.version, m.digest, tx.Time(tx.now)); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.version, err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func appliedMigrations(ctx context.Context, tx *Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version, digest FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := make(map[string]string)
	for rows.Next() {
		var v, d string
		if err := rows.Scan(&v, &d); err != nil {
			return nil, err
		}
		applied[v] = d
	}
	return applied, rows.Err()
}

// SchemaVersions returns the migrations applied to the database, oldest
// first, for `tollgate` diagnostics and tests.
func (db *DB) SchemaVersions(ctx context.Context) ([]string, error) {
	var versions []string
	err := db.View(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			versions = append(versions, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store.SchemaVersions: %w", err)
	}
	return versions, nil
}
