package shipping

import (
	"context"
	"crypto/ed25519"
	"time"

	"tollgate"
	"tollgate/store"
)

// RegisterLabKey registers pub, an Ed25519 public key, with the lab
// organization labOrgID and returns it: reports signed with it verify from
// now until it is revoked. An organization that is not a lab is EINVALID;
// a key already registered is ECONFLICT.
func (s *Service) RegisterLabKey(ctx context.Context, labOrgID string, pub []byte) (*tollgate.LabKey, error) {
	org, err := s.db.FindOrgByID(ctx, labOrgID)
	if err != nil {
		return nil, wrap("RegisterLabKey", err)
	}
	if org.Kind != tollgate.OrgLab {
		return nil, wrap("RegisterLabKey", tollgate.FieldErrorf("lab_org_id", "%s is %s, not a lab", org.Name, org.Kind))
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, wrap("RegisterLabKey", tollgate.FieldErrorf("public_key", "must be an Ed25519 public key of %d bytes; got %d", ed25519.PublicKeySize, len(pub)))
	}
	k := tollgate.LabKey{ID: tollgate.LabKeyID(pub), LabOrgID: labOrgID, PublicKey: pub}
	if err := k.Validate(); err != nil {
		return nil, wrap("RegisterLabKey", err)
	}
	err = s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		if err := tx.InsertLabKey(ctx, &k); err != nil {
			return err
		}
		return tx.Audit(ctx, "lab_key.register", "lab_key", k.ID, nil, k)
	})
	if err != nil {
		return nil, wrap("RegisterLabKey", err)
	}
	return &k, nil
}

// RevokeLabKey revokes lab key id now, for reason (kept in the audit
// record): reports recorded from now on with it are refused, and reports
// recorded with it before stay valid. labOrgID, when not empty, must be the
// key's lab (ENOTFOUND otherwise).
func (s *Service) RevokeLabKey(ctx context.Context, labOrgID, id, reason string) (*tollgate.LabKey, error) {
	var k *tollgate.LabKey
	err := s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		before, err := tx.FindLabKey(ctx, id, true)
		if err != nil {
			return err
		}
		if labOrgID != "" && before.LabOrgID != labOrgID {
			return tollgate.Errorf(tollgate.ENOTFOUND, "lab key %q not found", id)
		}
		if k, err = tx.RevokeLabKey(ctx, id); err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "lab_key.revoke", "lab_key", k.ID, before, k, map[string]any{"reason": reason})
	})
	if err != nil {
		return nil, wrap("RevokeLabKey", err)
	}
	return k, nil
}

// RecordLabReport records r, a lab's signed report on units of an
// exporter's product, and returns it as stored. It is refused unless the
// lab is independent of the exporter and the application's consignee
// (CheckIndependence) and CheckReport passes under the agency's review
// rules: the key is registered with r's lab and not revoked, the signature
// verifies, the tolerance and the units examined meet the agency's rules,
// the signed judgment is the one Judge gives against the specification of
// the product the application names and the rule's limits, and every unit
// was imported for the exporter before the test. The test time must be in the
// past and carry at most microseconds (the store keeps microseconds, and
// the stored report must still verify). The lab is derived from the caller
// as ResolveLabReport says and must be engaged for the exporter's tests on
// the test date (ENOTFOUND, worded as a missing exporter, otherwise) and
// located in the US; the technician must be an enabled lab technician of
// the lab's own organization (EINVALID otherwise).
func (s *Service) RecordLabReport(ctx context.Context, r tollgate.LabReport) (*tollgate.LabReport, error) {
	// The lab signs the product's identity: a report signed under another
	// name of the product is refused, not renamed under its signature.
	r.RecordedBy = actor(ctx)
	if id := r.Product; id != "" {
		if err := s.identify(&id); err != nil {
			return nil, wrap("RecordLabReport", err)
		}
		if id != r.Product {
			return nil, wrap("RecordLabReport", tollgate.FieldErrorf("product", "%q is another name of product %q: the report is signed for the product's identity", r.Product, id))
		}
	}
	r, err := deriveLabReport(ctx, r)
	if err != nil {
		return nil, wrap("RecordLabReport", err)
	}
	if r.TechnicianUserID == "" {
		r.TechnicianUserID = r.RecordedBy
	}
	if !r.TestedAt.Equal(r.TestedAt.Truncate(time.Microsecond)) {
		return nil, wrap("RecordLabReport", tollgate.FieldErrorf("tested_at", "give the test time to the microsecond at most, as it was signed"))
	}
	if err := r.Validate(); err != nil {
		return nil, wrap("RecordLabReport", err)
	}
	err = s.db.UpdateLocked(ctx, func(tx *store.Tx) error {
		if r.TestedAt.After(tx.Now()) {
			return tollgate.FieldErrorf("tested_at", "is in the future")
		}
		if err := checkLabEngaged(ctx, tx, r); err != nil {
			return err
		}
		if err := checkLabStaff(ctx, tx, &r); err != nil {
			return err
		}
		key, err := tx.FindLabKey(ctx, r.KeyID, false)
		ref := tollgate.Ref{Field: "key_id", Kind: "lab key", ID: r.KeyID}
		if err := ref.Resolve(err, err == nil && key.LabOrgID == r.LabOrgID); err != nil {
			return err
		}
		spec, err := s.applicationSpec(ctx, tx, r)
		if err != nil {
			return err
		}
		imports, err := tx.ImportsOfUnits(ctx, r.ExporterOrgID, r.Product, r.Units)
		if err != nil {
			return err
		}
		if err := s.checkIndependence(ctx, tx, r); err != nil {
			return err
		}
		r.RecordedAt = tx.Now()
		if err := CheckReport(r, spec, *key, imports, s.cfg.Review); err != nil {
			return err
		}
		if err := tx.InsertLabReport(ctx, &r); err != nil {
			return err
		}
		return tx.AuditDetails(ctx, "lab_report.record", "lab_report", r.ID, nil, r, map[string]any{
			"number": r.Number, "pass": r.Pass, "units": r.Units.Count, "key_id": r.KeyID})
	})
	if err != nil {
		return nil, wrap("RecordLabReport", err)
	}
	return &r, nil
}

// checkIndependence reads r's lab, exporter and the consignee its
// application names, and applies CheckIndependence.
func (s *Service) checkIndependence(ctx context.Context, tx *store.Tx, r tollgate.LabReport) error {
	lab, err := tx.Org(ctx, r.LabOrgID)
	if err != nil {
		return tollgate.FieldErrorf("lab_org_id", "%s", tollgate.ErrorMessage(err))
	}
	exporter, err := tx.Org(ctx, r.ExporterOrgID)
	if err != nil {
		return tollgate.FieldErrorf("exporter_org_id", "%s", tollgate.ErrorMessage(err))
	}
	app, err := tx.Application(ctx, r.ApplicationID)
	if err != nil {
		return tollgate.FieldErrorf("application_id", "%s", tollgate.ErrorMessage(err))
	}
	var consignee *tollgate.Party
	if id := app.Parties.UltimateConsignee; id != "" {
		if consignee, _, err = tx.PartyScreening(ctx, id); err != nil {
			return err
		}
	}
	return CheckIndependence(*lab, *exporter, consignee)
}

// applicationSpec returns the specification r is judged against: that of
// the product as r's application (the exporter's) names it.
func (s *Service) applicationSpec(ctx context.Context, tx *store.Tx, r tollgate.LabReport) (tollgate.Chip, error) {
	app, err := tx.Application(ctx, r.ApplicationID)
	ref := tollgate.Ref{Field: "application_id", Kind: "application", ID: r.ApplicationID}
	if err := ref.Resolve(err, err == nil && app.Parties.Applicant == r.ExporterOrgID); err != nil {
		return tollgate.Chip{}, err
	}
	for _, it := range app.Items {
		if it.Product() != r.Product {
			continue
		}
		name := it.Model
		if name == "" {
			name = it.SpecRef
		}
		return s.spec(name)
	}
	return tollgate.Chip{}, tollgate.FieldErrorf("product", "application %s does not cover %s", app.ID, r.Product)
}
