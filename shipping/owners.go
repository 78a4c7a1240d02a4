package shipping

import (
	"context"
	"slices"
	"time"

	"tollgate"
	"tollgate/store"
)

// Who a write about an exporter's units belongs to is derived here, from
// the caller and the stored engagements, never from the record's own
// organization fields: those may name the organizations only to be
// checked. The API resolves a record before it authorizes the call
// (ResolveImport, ResolveLabReport) and the use case resolves it again in
// the transaction that writes, so both act on the same answer.
//
// The writer of a record is the caller's organization. A caller with no
// organization is tollgate itself or a local command run by the operator
// of the store, who names the organizations in the record; they are held
// to the same engagements.
//
// A broker or lab that no engagement in force on the write's day reaches
// is answered exactly as if the exporter did not exist (notFoundOrg), so
// that the answer tells a stranger nothing about the exporter.

// engagedOrgser finds the organizations an engagement reaches:
// *store.DB outside a transaction, *store.Tx inside one.
type engagedOrgser interface {
	EngagedOrgs(ctx context.Context, w tollgate.EngagementScope) ([]string, error)
}

var (
	_ engagedOrgser = (*store.DB)(nil)
	_ engagedOrgser = (*store.Tx)(nil)
)

// notFoundOrg is the answer to a write for an exporter the writer may not
// write for: the store's words for an organization that does not exist.
func notFoundOrg(id string) error {
	return tollgate.Errorf(tollgate.ENOTFOUND, "organization %q not found", id)
}

// callerOrg returns the caller's organization and its kind ("" for a
// caller with none: tollgate itself or a local command). A principal with
// an organization of no known kind gets a kind that writes nothing, never
// the local caller's "".
func callerOrg(ctx context.Context) (string, tollgate.OrgKind) {
	if p := tollgate.PrincipalFrom(ctx); p != nil && p.OrgID != "" {
		if !p.OrgKind.Valid() {
			return p.OrgID, "unknown"
		}
		return p.OrgID, p.OrgKind
	}
	return "", ""
}

// engaged reports whether an engagement in force reaches org for w.
func engaged(ctx context.Context, q engagedOrgser, w tollgate.EngagementScope, org string) (bool, error) {
	orgs, err := q.EngagedOrgs(ctx, w)
	if err != nil {
		return false, err
	}
	return slices.Contains(orgs, org), nil
}

// ResolveImport returns e with its importer and exporter derived from the
// caller: a broker files as itself, for an exporter that engaged it for
// imports on the entry date (and, if the engagement is limited to lots,
// for the entry's lot); an exporter files for itself, as its own importer
// or through a broker it engaged. Any other exporter named is ENOTFOUND,
// worded as a missing organization.
func (s *Service) ResolveImport(ctx context.Context, e tollgate.ImportEntry) (tollgate.ImportEntry, error) {
	var out tollgate.ImportEntry
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = resolveImport(ctx, tx, e)
		return err
	})
	return out, wrap("ResolveImport", err)
}

func resolveImport(ctx context.Context, q engagedOrgser, e tollgate.ImportEntry) (tollgate.ImportEntry, error) {
	e, err := deriveImport(ctx, e)
	if err != nil {
		return e, err
	}
	return e, checkImportEngaged(ctx, q, e)
}

// deriveImport fills in e's organizations from the caller, checking any
// the record names against them.
func deriveImport(ctx context.Context, e tollgate.ImportEntry) (tollgate.ImportEntry, error) {
	org, kind := callerOrg(ctx)
	switch kind {
	case tollgate.OrgBroker:
		if e.ImporterOrgID != "" && e.ImporterOrgID != org {
			return e, notFoundOrg(e.ExporterOrgID) // a broker files as itself only
		}
		e.ImporterOrgID = org
	case tollgate.OrgExporter:
		if e.ExporterOrgID != "" && e.ExporterOrgID != org {
			return e, notFoundOrg(e.ExporterOrgID)
		}
		e.ExporterOrgID = org
		if e.ImporterOrgID == "" {
			e.ImporterOrgID = org
		}
	case "":
	default:
		return e, tollgate.Errorf(tollgate.EFORBIDDEN, "an organization of kind %s does not record import entries", kind)
	}
	switch {
	case e.ExporterOrgID == "":
		return e, tollgate.FieldErrorf("exporter_org_id", "required")
	case e.ImporterOrgID == "":
		return e, tollgate.FieldErrorf("importer_org_id", "required")
	}
	return e, nil
}

// checkImportEngaged checks that e, with its organizations derived, is
// filed by its exporter or by a broker an engagement in force on the
// entry date reaches.
func checkImportEngaged(ctx context.Context, q engagedOrgser, e tollgate.ImportEntry) error {
	if e.ImporterOrgID == e.ExporterOrgID {
		return nil // the exporter files for itself
	}
	w := tollgate.EngagementScope{ExporterOrgID: e.ExporterOrgID, Kind: tollgate.EngageImports, Day: e.EntryDate, Lot: e.Units.Lot}
	ok, err := engaged(ctx, q, w, e.ImporterOrgID)
	_, kind := callerOrg(ctx)
	switch {
	case err != nil:
		return err
	case !ok && kind == tollgate.OrgExporter:
		return tollgate.FieldErrorf("importer_org_id", "organization %q is not engaged for your imports of these units on %s",
			e.ImporterOrgID, e.EntryDate.UTC().Format(time.DateOnly))
	case !ok:
		return notFoundOrg(e.ExporterOrgID)
	}
	return nil
}

// checkEntryWriter checks that the caller may write on import entry e
// (pay its duty) on day: its exporter, or the broker that filed it while
// an engagement for its units is in force on day. Any other caller is
// answered as if the entry did not exist.
func checkEntryWriter(ctx context.Context, q engagedOrgser, e *tollgate.ImportEntry, day time.Time) error {
	notFound := tollgate.Errorf(tollgate.ENOTFOUND, "import entry %q not found", e.ID)
	org, kind := callerOrg(ctx)
	switch kind {
	case tollgate.OrgExporter:
		if e.ExporterOrgID != org {
			return notFound
		}
		return nil
	case tollgate.OrgBroker:
		if e.ImporterOrgID != org {
			return notFound
		}
	case "":
	default:
		return tollgate.Errorf(tollgate.EFORBIDDEN, "an organization of kind %s does not write import entries", kind)
	}
	if e.ImporterOrgID == e.ExporterOrgID {
		return nil
	}
	w := tollgate.EngagementScope{ExporterOrgID: e.ExporterOrgID, Kind: tollgate.EngageImports, Day: day, Lot: e.Units.Lot}
	ok, err := engaged(ctx, q, w, e.ImporterOrgID)
	switch {
	case err != nil:
		return err
	case !ok:
		return notFound
	}
	return nil
}

// EntryWriters returns the organizations that may write on import entry
// e on day besides its exporter: its broker while an engagement for its
// units is in force on day, or none. The API makes them the entry's
// assigned organizations when it authorizes a write.
func (s *Service) EntryWriters(ctx context.Context, e *tollgate.ImportEntry, day time.Time) ([]string, error) {
	if e.ImporterOrgID == e.ExporterOrgID {
		return nil, nil
	}
	w := tollgate.EngagementScope{ExporterOrgID: e.ExporterOrgID, Kind: tollgate.EngageImports, Day: day, Lot: e.Units.Lot}
	ok, err := engaged(ctx, s.db, w, e.ImporterOrgID)
	if err != nil || !ok {
		return nil, wrap("EntryWriters", err)
	}
	return []string{e.ImporterOrgID}, nil
}

// ResolveLabReport returns r with its lab derived from the caller: a lab
// records as itself, for an exporter that engaged it for tests in force
// on the test date (and, if the engagement is limited, for r's
// application and lot). An exporter the lab may not write for is
// ENOTFOUND, worded as a missing organization. Only a lab (or a caller
// with no organization, naming the lab) records reports.
func (s *Service) ResolveLabReport(ctx context.Context, r tollgate.LabReport) (tollgate.LabReport, error) {
	var out tollgate.LabReport
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = resolveLabReport(ctx, tx, r)
		return err
	})
	return out, wrap("ResolveLabReport", err)
}

func resolveLabReport(ctx context.Context, q engagedOrgser, r tollgate.LabReport) (tollgate.LabReport, error) {
	r, err := deriveLabReport(ctx, r)
	if err != nil {
		return r, err
	}
	return r, checkLabEngaged(ctx, q, r)
}

// deriveLabReport fills in r's lab from the caller, checking the one the
// report names against it.
func deriveLabReport(ctx context.Context, r tollgate.LabReport) (tollgate.LabReport, error) {
	org, kind := callerOrg(ctx)
	switch kind {
	case tollgate.OrgLab:
		if r.LabOrgID != "" && r.LabOrgID != org {
			return r, notFoundOrg(r.ExporterOrgID) // a lab records its own reports only
		}
		r.LabOrgID = org
	case "":
	default:
		return r, tollgate.Errorf(tollgate.EFORBIDDEN, "an organization of kind %s does not record lab reports", kind)
	}
	switch {
	case r.LabOrgID == "":
		return r, tollgate.FieldErrorf("lab_org_id", "required")
	case r.ExporterOrgID == "":
		return r, tollgate.FieldErrorf("exporter_org_id", "required")
	}
	return r, nil
}

// checkLabEngaged checks that an engagement in force on r's test date
// reaches r's lab for r's exporter, application and lot.
func checkLabEngaged(ctx context.Context, q engagedOrgser, r tollgate.LabReport) error {
	w := tollgate.EngagementScope{ExporterOrgID: r.ExporterOrgID, Kind: tollgate.EngageTests, Day: r.TestedAt,
		ApplicationID: r.ApplicationID, Lot: r.Units.Lot}
	ok, err := engaged(ctx, q, w, r.LabOrgID)
	switch {
	case err != nil:
		return err
	case !ok:
		return notFoundOrg(r.ExporterOrgID)
	}
	return nil
}

// checkLabStaff checks the lab and technician of r, a report resolved by
// resolveLabReport: the lab is a lab, and the technician is an enabled user
// of the lab's own organization holding the lab technician role. Where the
// lab is located, and its independence, are CheckIndependence's.
func checkLabStaff(ctx context.Context, tx *store.Tx, r *tollgate.LabReport) error {
	lab, err := tx.FindOrg(ctx, r.LabOrgID)
	if err != nil {
		return err
	}
	if lab.Kind != tollgate.OrgLab {
		return tollgate.FieldErrorf("lab_org_id", "%s is %s, not a lab", lab.Name, lab.Kind)
	}
	notTechnician := tollgate.FieldErrorf("technician_user_id", "%q is not an enabled lab technician of %s", r.TechnicianUserID, lab.Name)
	u, err := tx.FindUser(ctx, r.TechnicianUserID)
	switch {
	case tollgate.ErrorCode(err) == tollgate.ENOTFOUND:
		return notTechnician
	case err != nil:
		return err
	case u.OrgID != lab.ID || u.Disabled || !u.HasRole(tollgate.RoleLabTechnician):
		return notTechnician
	}
	return nil
}
