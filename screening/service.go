// Package screening is the service that ties the screening engine (package
// screen) to the store: it builds an engine index over the entries of the
// store's current list versions, rebuilds it when the set of current
// versions changes, screens ad-hoc names and stored parties, records each
// party's result through the store, and re-screens every party reporting
// only what changed.
//
// The engine stays pure; the service does the I/O around it. A screening
// always names the list versions it ran against, so a recorded result can be
// traced to the exact files screened.
package screening

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tollgate"
	"tollgate/screen"
	"tollgate/screen/lists"
)

// Store is what the service needs from tollgate's store.
type Store interface {
	// CurrentListVersions returns the newest version of every list source.
	CurrentListVersions(ctx context.Context) ([]*tollgate.ListVersion, error)
	// ListEntities returns every entity of the given versions.
	ListEntities(ctx context.Context, versionIDs ...string) ([]tollgate.Entity, error)
	// FindPartyByID returns a party or ENOTFOUND.
	FindPartyByID(ctx context.Context, id string) (*tollgate.Party, error)
	// FindParties returns one page of parties and the next cursor.
	FindParties(ctx context.Context, filter tollgate.PartyFilter) ([]*tollgate.Party, string, error)
	// RecordScreening stores a party's screening and returns the diff from
	// its previous one.
	RecordScreening(ctx context.Context, s *tollgate.Screening) (*tollgate.ScreeningDiff, error)
}

// Config tunes the service.
type Config struct {
	// Engine configures the matching engine (threshold, evidence weights).
	Engine screen.Config
	// HitsPerName caps the hits reported for one name (best first).
	HitsPerName int
	// Workers is the parallelism of batch screening; 0 means one per CPU.
	Workers int
}

// DefaultConfig returns the engine's default configuration with at most
// 10 hits per name.
func DefaultConfig() Config {
	return Config{Engine: screen.DefaultConfig(), HitsPerName: 10}
}

// Service screens names and parties against the store's current lists. It
// is safe for concurrent use.
type Service struct {
	store Store
	log   *slog.Logger
	cfg   Config

	build sync.Mutex               // held while an index is being built
	snap  atomic.Pointer[Snapshot] // the index of the current versions
}

// New returns a service over st. It builds no index until the first
// screening (or Warm) needs one.
func New(st Store, log *slog.Logger, cfg Config) *Service {
	if cfg.HitsPerName <= 0 {
		cfg.HitsPerName = DefaultConfig().HitsPerName
	}
	return &Service{store: st, log: log, cfg: cfg}
}

// Threshold returns the score at or above which a candidate is a hit.
func (s *Service) Threshold() float64 { return s.cfg.Engine.Threshold }

// Snapshot is an engine index over the entries of one set of list
// versions. It is immutable.
type Snapshot struct {
	// Versions are the list versions indexed, ordered by source.
	Versions []*tollgate.ListVersion
	// Index is the engine index over their entries.
	Index *screen.Index
	// BuildTime is how long loading and indexing took.
	BuildTime time.Duration

	key     string
	digests sync.Map // *tollgate.Entity → string, filled on first use

	// entities are the indexed entries, version after version (ListEntities'
	// order); versionOf maps each to its version, built on first use.
	entities    []tollgate.Entity
	versionOnce sync.Once
	versionOf   map[*tollgate.Entity]*tollgate.ListVersion
}

// VersionOf returns the list version an indexed entry came from, or nil
// when it cannot tell (the versions' entry counts do not add up to the
// entries loaded): a hit then names no version rather than a wrong one.
func (sn *Snapshot) VersionOf(e *tollgate.Entity) *tollgate.ListVersion {
	sn.versionOnce.Do(func() {
		total := 0
		for _, v := range sn.Versions {
			total += v.EntityCount
		}
		if total != len(sn.entities) {
			return
		}
		sn.versionOf = make(map[*tollgate.Entity]*tollgate.ListVersion, len(sn.entities))
		i := 0
		for _, v := range sn.Versions {
			for range v.EntityCount {
				sn.versionOf[&sn.entities[i]] = v
				i++
			}
		}
	})
	return sn.versionOf[e]
}

// VersionIDs returns the ids of the indexed versions.
func (sn *Snapshot) VersionIDs() []string { return versionIDs(sn.Versions) }

// digest returns Entity.Digest() of an indexed entity, computing it once.
func (sn *Snapshot) digest(e *tollgate.Entity) string {
	if d, ok := sn.digests.Load(e); ok {
		return d.(string)
	}
	d := e.Digest()
	sn.digests.Store(e, d)
	return d
}

// versionsKey identifies a set of list versions.
func versionsKey(vs []*tollgate.ListVersion) string {
	return strings.Join(versionIDs(vs), ",")
}

// Current returns the index over the store's current list versions,
// building it when the set of current versions differs from the cached
// one. Concurrent callers share one build. It returns EPRECONDITION when no
// list has been imported.
func (s *Service) Current(ctx context.Context) (*Snapshot, error) {
	vs, err := s.store.CurrentListVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening.Current: %w", err)
	}
	if len(vs) == 0 {
		return nil, tollgate.Errorf(tollgate.EPRECONDITION, "no restricted-party list has been imported; import one with tollgate lists import")
	}
	key := versionsKey(vs)
	if sn := s.snap.Load(); sn != nil && sn.key == key {
		return sn, nil
	}
	s.build.Lock()
	defer s.build.Unlock()
	if sn := s.snap.Load(); sn != nil && sn.key == key {
		return sn, nil
	}
	start := time.Now()
	entities, err := s.store.ListEntities(ctx, versionIDs(vs)...)
	if err != nil {
		return nil, fmt.Errorf("screening.Current: load entries: %w", err)
	}
	sn := &Snapshot{Versions: vs, Index: screen.NewIndex(entities, s.cfg.Engine), key: key, entities: entities}
	sn.BuildTime = time.Since(start)
	s.snap.Store(sn)
	s.log.LogAttrs(ctx, slog.LevelInfo, "screening index built",
		slog.String("versions", key),
		slog.Int("entities", sn.Index.Len()),
		slog.Int("names", sn.Index.Names()),
		slog.Duration("took", sn.BuildTime))
	return sn, nil
}

// Warm builds the index of the current versions now, so the first request
// does not pay for it. With no list imported it does nothing.
func (s *Service) Warm(ctx context.Context) error {
	_, err := s.Current(ctx)
	if tollgate.ErrorCode(err) == tollgate.EPRECONDITION {
		return nil
	}
	return err
}

func versionIDs(vs []*tollgate.ListVersion) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

// SourceOf names the list source a parsed file belongs to: its format's
// name ("csl", "ofac", "un", "dpl"), or "internal" for a user's own list.
// The store keeps one current version per source.
func SourceOf(f lists.Format) string {
	if f == lists.FormatCustom {
		return "internal"
	}
	return string(f)
}

// ListImport turns a parsed list file into the store's import of a list
// version. path is the file it came from; only its base name is kept.
func ListImport(res *lists.Result, path string) *tollgate.ListImport {
	name := ""
	if path != "" {
		name = filepath.Base(path)
	}
	return &tollgate.ListImport{
		Source:    SourceOf(res.Format),
		Format:    string(res.Format),
		Digest:    res.Digest,
		FileName:  name,
		Published: res.Published,
		Entities:  res.Entities,
		Problems:  len(res.Problems),
	}
}
