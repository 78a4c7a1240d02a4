package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tollgate"
)

// LicensingAgencyCode is the agency code of the licensing agency (BIS),
// beside the reviewing agencies' codes (tollgate.ReviewAgencies).
const LicensingAgencyCode = "BIS"

// Sequences the store hands numbers out of, one after the other, without
// gaps: a number taken in a transaction that rolls back is taken again.
const (
	SeqControlNumber = "control_number"
	SeqLicenseNumber = "license_number"
)

// validAgencyCode reports whether code names the licensing agency or a
// reviewing agency.
func validAgencyCode(code string) bool {
	return code == LicensingAgencyCode || tollgate.ReviewAgency(code).Valid()
}

// SetAgencyOrg records that the agency with code (BIS, DOD, STATE or DOE)
// is the organization orgID, which must be an agency organization that
// serves no other code (ECONFLICT). Setting a code again replaces its
// organization. It returns the organization the code had before ("" when
// none). The caller audits.
func (tx *Tx) SetAgencyOrg(ctx context.Context, code, orgID string) (string, error) {
	if !validAgencyCode(code) {
		return "", fmt.Errorf("store.SetAgencyOrg: %w", tollgate.FieldErrorf("code", "must be BIS, DOD, STATE or DOE; got %q", code))
	}
	org, err := findOrgByID(ctx, tx, orgID)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return "", fmt.Errorf("store.SetAgencyOrg: %w", tollgate.FieldErrorf("org_id", "no organization %q", orgID))
	} else if err != nil {
		return "", fmt.Errorf("store.SetAgencyOrg: %w", err)
	}
	if org.Kind != tollgate.OrgAgency {
		return "", fmt.Errorf("store.SetAgencyOrg: %w", tollgate.FieldErrorf("org_id", "organization %q is a %s, not an agency", orgID, org.Kind))
	}
	orgs, err := tx.AgencyOrgs(ctx)
	if err != nil {
		return "", err
	}
	for c, id := range orgs {
		if id == orgID && c != code {
			return "", fmt.Errorf("store.SetAgencyOrg: %w", tollgate.Errorf(tollgate.ECONFLICT, "organization %q already serves as %s", orgID, c))
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO licensing_agencies (code, org_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET org_id = excluded.org_id, updated_at = excluded.updated_at`,
		code, orgID, tx.Time(tx.now))
	if err != nil {
		return "", fmt.Errorf("store.SetAgencyOrg: %w", err)
	}
	return orgs[code], nil
}

// AgencyOrgs returns the organization of every agency code set so far.
func (tx *Tx) AgencyOrgs(ctx context.Context) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, org_id FROM licensing_agencies`)
	if err != nil {
		return nil, fmt.Errorf("store.AgencyOrgs: %w", err)
	}
	defer rows.Close()
	orgs := map[string]string{}
	for rows.Next() {
		var code, org string
		if err := rows.Scan(&code, &org); err != nil {
			return nil, fmt.Errorf("store.AgencyOrgs: %w", err)
		}
		orgs[code] = org
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store.AgencyOrgs: %w", err)
	}
	return orgs, nil
}

// NextSequence takes the next number (1, 2, …) of the sequence name
// (SeqControlNumber or SeqLicenseNumber). Concurrent transactions taking
// from one sequence serialize; the number is theirs only if they commit.
func (tx *Tx) NextSequence(ctx context.Context, name string) (uint64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `UPDATE licensing_sequences SET value = value + 1 WHERE name = ? RETURNING value`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store.NextSequence: no sequence %q", name)
	} else if err != nil {
		return 0, fmt.Errorf("store.NextSequence: %w", err)
	}
	return uint64(v), nil
}

// PartyScreening returns the party with id (ENOTFOUND when there is none)
// and the hits of its latest screening with the decisions in force; the
// hits are nil when the party was never screened.
func (tx *Tx) PartyScreening(ctx context.Context, id string) (*tollgate.Party, []tollgate.Hit, error) {
	p, err := findPartyByID(ctx, tx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("store.PartyScreening: %w", err)
	}
	s, err := latestScreening(ctx, tx, id)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		return p, nil, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("store.PartyScreening: %w", err)
	}
	if err := withDecisions(ctx, tx, id, []*tollgate.Screening{s}); err != nil {
		return nil, nil, fmt.Errorf("store.PartyScreening: %w", err)
	}
	return p, s.Hits, nil
}

// PutApplicationDocument stores a supporting document's content for the
// application, keyed by its digest; the same content twice is ECONFLICT.
// The caller checks type and size, and adds d to the application.
func (tx *Tx) PutApplicationDocument(ctx context.Context, appID string, d tollgate.SupportingDocument, content []byte, uploadedBy string) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("store.PutApplicationDocument: %w", err)
	}
	if int64(len(content)) != d.Size {
		return fmt.Errorf("store.PutApplicationDocument: %w", tollgate.FieldErrorf("size", "is %d, the content has %d bytes", d.Size, len(content)))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO application_documents (application_id, digest, name, content_type,
		size, content, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		appID, d.Digest, d.Name, d.ContentType, d.Size, content, uploadedBy, tx.Time(tx.now))
	if tx.d.uniqueViolation(err) {
		return fmt.Errorf("store.PutApplicationDocument: %w", tollgate.Errorf(tollgate.ECONFLICT, "the application already holds a document with sha256 %s", d.Digest))
	} else if err != nil {
		return fmt.Errorf("store.PutApplicationDocument: %w", err)
	}
	return nil
}

// ApplicationDocument returns the document of the application with digest
// and its content, or ENOTFOUND.
func (tx *Tx) ApplicationDocument(ctx context.Context, appID, digest string) (tollgate.SupportingDocument, []byte, error) {
	var (
		d       tollgate.SupportingDocument
		content []byte
	)
	if !validID(appID) || !tollgate.IsHexDigest(strings.ToLower(digest)) {
		return d, nil, fmt.Errorf("store.ApplicationDocument: %w", tollgate.Errorf(tollgate.ENOTFOUND, "document %q not found", digest))
	}
	err := tx.QueryRowContext(ctx, `SELECT digest, name, content_type, size, content FROM application_documents
		WHERE application_id = ? AND digest = ?`, appID, strings.ToLower(digest)).Scan(&d.Digest, &d.Name, &d.ContentType, &d.Size, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, fmt.Errorf("store.ApplicationDocument: %w", tollgate.Errorf(tollgate.ENOTFOUND, "document %q not found", digest))
	} else if err != nil {
		return d, nil, fmt.Errorf("store.ApplicationDocument: %w", err)
	}
	return d, content, nil
}
