package tollgate

import (
	"strings"
	"time"
)

// AuditFilter selects records of the audit log (package auditlog), which
// holds one record of every change tollgate makes, for listing oldest
// first. Zero fields match all; the fields combine with AND.
type AuditFilter struct {
	Action     string    `json:"action,omitempty"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	UserID     string    `json:"user_id,omitempty"` // the actor's user
	OrgID      string    `json:"org_id,omitempty"`  // the actor's organization
	Since      time.Time `json:"since,omitzero"`    // records at or after Since
	Until      time.Time `json:"until,omitzero"`    // records before Until
	Cursor     string    `json:"cursor,omitempty"`  // opaque; from a previous page
	Limit      int       `json:"limit,omitempty"`   // 0 means DefaultPageLimit
	// Offset skips that many matching records, oldest first, instead of a
	// Cursor: it pages without telling the log's sequence numbers, which
	// tell everyone's activity. Cursor and Offset are not given together.
	Offset int `json:"offset,omitempty"`
}

// Validate reports a filter that can match nothing by construction.
func (f *AuditFilter) Validate() error {
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return FieldErrorf("until", "must be after since")
	}
	if f.Offset < 0 || (f.Offset > 0 && f.Cursor != "") {
		return FieldErrorf("cursor", "not a cursor this list returned")
	}
	return nil
}

// SystemUserID is the user id of changes tollgate makes on its own, with no
// caller: periodic checkpoints, re-screening after a list import started by
// the server, key rotation at startup.
const SystemUserID = "system"

// LocalUserPrefix begins the user id of a person running a local command
// (tollgate orgs create, tollgate lists import, …) against the store
// directly: "cli:" followed by the operating-system user name.
const LocalUserPrefix = "cli:"

// SystemPrincipal returns the principal of background work that acts for no
// caller. It holds no roles: it names the actor of audit records, and
// grants nothing.
func SystemPrincipal() *Principal {
	return &Principal{UserID: SystemUserID}
}

// LocalPrincipal returns the principal of a person running a local command
// as the operating-system user osUser (empty when unknown). Local commands
// act on the store directly, so the principal holds no roles: it names the
// actor of audit records, and grants nothing.
func LocalPrincipal(osUser string) *Principal {
	osUser = strings.TrimSpace(osUser)
	if osUser == "" {
		osUser = "unknown"
	}
	return &Principal{UserID: LocalUserPrefix + osUser}
}
