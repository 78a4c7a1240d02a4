package screening

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"tollgate"
	"tollgate/screen"
)

// A saved index lets a server start without analyzing every listed name
// again (screen.Index.Save). It is keyed by the list versions' sources and
// file digests, not by their ids, so that an index saved from one store
// serves any store that imported the same files; the engine adds its own
// version. A saved index that does not match is never used.

// ListsKey identifies the content of a set of list versions: each
// version's source and file digest, in the order given (the store's,
// by source).
func ListsKey(vs []*tollgate.ListVersion) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Source + ":" + v.Digest
	}
	return strings.Join(parts, ",")
}

// SaveIndex writes the index of the store's current list versions to w,
// building it first when needed, and returns the snapshot written.
func (s *Service) SaveIndex(ctx context.Context, w io.Writer) (*Snapshot, error) {
	sn, err := s.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening.SaveIndex: %w", err)
	}
	if err := sn.Index.Save(w, ListsKey(sn.Versions)); err != nil {
		return nil, fmt.Errorf("screening.SaveIndex: %w", err)
	}
	return sn, nil
}

// LoadIndex makes the saved index read from r the service's index of the
// store's current list versions. It installs nothing and fails, wrapping
// screen.ErrIndexMismatch, when r holds an index of other list files or of
// another engine version, or a damaged one; the service then builds the
// index from the store as usual when it is first needed.
func (s *Service) LoadIndex(ctx context.Context, r io.Reader) (*Snapshot, error) {
	vs, err := s.store.CurrentListVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("screening.LoadIndex: %w", err)
	}
	if len(vs) == 0 {
		return nil, tollgate.Errorf(tollgate.EPRECONDITION, "no restricted-party list has been imported; a saved index has nothing to match")
	}
	start := time.Now()
	ix, err := screen.LoadIndex(r, ListsKey(vs), s.cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("screening.LoadIndex: %w", err)
	}
	sn := &Snapshot{Versions: vs, Index: ix, key: versionsKey(vs), BuildTime: time.Since(start), entities: ix.Entities()}
	s.build.Lock()
	s.snap.Store(sn)
	s.build.Unlock()
	s.log.LogAttrs(ctx, slog.LevelInfo, "screening index loaded",
		slog.String("versions", sn.key),
		slog.Int("entities", ix.Len()),
		slog.Int("names", ix.Names()),
		slog.Duration("took", sn.BuildTime))
	return sn, nil
}
