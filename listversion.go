package tollgate

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ListVersion is one imported file of a restricted-party list source: the
// exact bytes (by digest) that a screening was run against. The current
// version of a source is the one imported last; lists move only forward, so
// an import whose publication date is older than the current version's is
// refused unless the operator allows it with a reason (ListImport.AllowOlder).
type ListVersion struct {
	ID     string `json:"id"`
	Source string `json:"source"` // the list source, e.g. "csl", "ofac", "un", "dpl", "internal"
	Format string `json:"format"` // the parser that read it, e.g. "csl-csv", "un-xml"
	// Digest is the hex SHA-256 of the imported file; importing the same
	// bytes again finds this version instead of making another.
	Digest   string `json:"digest"`
	FileName string `json:"file_name,omitempty"` // base name of the imported file
	// Published is the publication date the file states, zero when unknown.
	Published    time.Time      `json:"published,omitzero"`
	Counts       map[string]int `json:"counts"` // entities per list code ("SDN", "EL", …)
	EntityCount  int            `json:"entity_count"`
	ProblemCount int            `json:"problem_count"` // malformed records the parser reported and skipped
	ImportedAt   time.Time      `json:"imported_at"`
	// Current reports whether this is the newest imported version of its
	// source; the store derives it on every read.
	Current bool `json:"current"`
}

// ListEntry is one entity of a list version, as stored.
type ListEntry struct {
	VersionID string `json:"version_id"`
	// Seq is the entity's position in the imported file, from 1.
	Seq      int    `json:"seq"`
	List     string `json:"list"`
	SourceID string `json:"source_id"`
	// Digest is Entity.Digest(): decisions on hits are keyed by it.
	Digest string `json:"digest"`
	Entity Entity `json:"entity"`
}

// ListImport is a parsed list file, ready to be stored as a version.
//
// AllowOlder lets a file published before the source's current version
// become current all the same (to roll back a bad list, say); Reason says
// why, and the audit record of the import keeps both.
type ListImport struct {
	Source     string
	Format     string
	Digest     string
	FileName   string
	Published  time.Time
	Entities   []Entity
	Problems   int
	AllowOlder bool
	Reason     string
}

// dateOnly formats publication dates in messages.
const dateOnly = "2006-01-02"

// CheckNotOlder returns nil when li may become the current version of its
// source in place of current (nil when the source has none): its
// publication date is not older than current's. A file that states no date
// cannot be shown not to be older than a dated current version, so it is
// refused too (fail closed); a current version without a date can be
// replaced by any file. The refusal is ECONFLICT naming both dates; with
// AllowOlder set, CheckNotOlder reports the same finding, and the caller
// proceeds and records it (see OlderThan).
func (li *ListImport) CheckNotOlder(current *ListVersion) error {
	if !li.OlderThan(current) {
		return nil
	}
	published := "states no publication date"
	if !li.Published.IsZero() {
		published = "was published " + li.Published.UTC().Format(dateOnly)
	}
	return Errorf(ECONFLICT, "the %s file %s, before the current %s version %s published %s: "+
		"lists move only forward; to make the older file current on purpose, allow older (CLI --allow-older, API allow_older) with a reason",
		li.Source, published, current.Source, current.ID, current.Published.UTC().Format(dateOnly))
}

// OlderThan reports whether li would move its source back in time if it
// replaced current: current is dated and li is dated earlier or not at all.
func (li *ListImport) OlderThan(current *ListVersion) bool {
	if current == nil || current.Published.IsZero() {
		return false
	}
	return li.Published.IsZero() || li.Published.Before(current.Published)
}

var hexDigestPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// IsHexDigest reports whether s is a lower-case hex SHA-256 digest.
func IsHexDigest(s string) bool { return hexDigestPattern.MatchString(s) }

// Validate checks a list import before it is stored.
func (li *ListImport) Validate() error {
	if err := validateNameField("source", li.Source, true); err != nil {
		return err
	}
	if err := validateNameField("format", li.Format, true); err != nil {
		return err
	}
	if !IsHexDigest(li.Digest) {
		return FieldErrorf("digest", "must be a lower-case hex SHA-256 digest")
	}
	if err := validateNameField("file_name", li.FileName, false); err != nil {
		return err
	}
	if li.Problems < 0 {
		return FieldErrorf("problems", "must not be negative")
	}
	switch {
	case li.AllowOlder && strings.TrimSpace(li.Reason) == "":
		return FieldErrorf("reason", "allowing an older list to become current requires a reason")
	case !li.AllowOlder && li.Reason != "":
		return FieldErrorf("reason", "a reason is given only with allow_older")
	case len(li.Reason) > 1000:
		return FieldErrorf("reason", "longer than 1000 bytes")
	}
	for i := range li.Entities {
		e := &li.Entities[i]
		field := fmt.Sprintf("entities[%d]", i)
		if e.List == "" {
			return FieldErrorf(field+".list", "required")
		}
		if e.SourceID == "" {
			return FieldErrorf(field+".source_id", "required")
		}
		if !e.Type.Valid() {
			return FieldErrorf(field+".type", "unknown entity type %q", e.Type)
		}
	}
	return nil
}

// Counts returns the number of entities per list code.
func (li *ListImport) Counts() map[string]int {
	m := make(map[string]int)
	for i := range li.Entities {
		m[li.Entities[i].List]++
	}
	return m
}

// ListVersionFilter selects list versions for FindListVersions.
type ListVersionFilter struct {
	Source string `json:"source,omitempty"`
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// ListEntryFilter selects the entries of one list version.
type ListEntryFilter struct {
	VersionID string `json:"version_id"`
	List      string `json:"list,omitempty"` // a list code such as "EL"
	SourceID  string `json:"source_id,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// ListService stores restricted-party list versions and their entries.
type ListService interface {
	// ImportListVersion validates li and stores it as a new version with
	// its entries in one transaction, which makes it its source's current
	// version. When a version with the same digest already exists it stores
	// nothing and returns that version with created false. When li is older
	// than the current version (li.CheckNotOlder) it stores nothing and
	// returns ECONFLICT naming both dates, unless li.AllowOlder is set: then
	// the audit record of the import keeps the reason and the version it
	// replaced.
	ImportListVersion(ctx context.Context, li *ListImport) (v *ListVersion, created bool, err error)

	// FindListVersionByID returns the version with id, or ENOTFOUND.
	FindListVersionByID(ctx context.Context, id string) (*ListVersion, error)

	// FindListVersions returns one page of versions, newest first, and the
	// cursor of the next page ("" on the last page).
	FindListVersions(ctx context.Context, filter ListVersionFilter) ([]*ListVersion, string, error)

	// CurrentListVersions returns the newest version of every source,
	// ordered by source. Screening without an explicit list uses these.
	CurrentListVersions(ctx context.Context) ([]*ListVersion, error)

	// FindListEntries returns one page of a version's entries in file order;
	// ENOTFOUND when the version does not exist.
	FindListEntries(ctx context.Context, filter ListEntryFilter) ([]*ListEntry, string, error)

	// ListEntities returns every entity of the given versions, version by
	// version in the order given, each in file order: what a screening
	// engine loads. ENOTFOUND when a version does not exist.
	ListEntities(ctx context.Context, versionIDs ...string) ([]Entity, error)
}
