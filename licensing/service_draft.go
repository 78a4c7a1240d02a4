package licensing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"tollgate"
	"tollgate/store"
)

// Draft is what an exporter fills in on an application: everything but
// the documents, the certifications and the review, which have their own
// use cases. Items' totals may be left 0 to be computed (quantity x unit
// price); US units shipped are stated by the applicant (source "stated").
type Draft struct {
	Parties     tollgate.ApplicationParties `json:"parties"`
	Destination string                      `json:"destination"`
	ExportFrom  string                      `json:"export_from"`
	Reexport    bool                        `json:"reexport,omitempty"`
	EndUse      string                      `json:"end_use"`
	Items       []tollgate.ApplicationItem  `json:"items"`
	USShipments []tollgate.USUnitsShipped   `json:"us_shipments,omitempty"`
}

// DraftUpdate holds the fields UpdateDraft may change; nil fields stay as
// they are. The applicant never changes.
type DraftUpdate struct {
	Parties     *tollgate.ApplicationParties `json:"parties,omitempty"`
	Destination *string                      `json:"destination,omitempty"`
	ExportFrom  *string                      `json:"export_from,omitempty"`
	Reexport    *bool                        `json:"reexport,omitempty"`
	EndUse      *string                      `json:"end_use,omitempty"`
	Items       *[]tollgate.ApplicationItem  `json:"items,omitempty"`
	USShipments *[]tollgate.USUnitsShipped   `json:"us_shipments,omitempty"`
}

// CertificationInput is an officer's explicit certification: the code of a
// certification the application requires, the statement certified (it
// must be the required text) and the officer's name. The officer is the
// caller; nothing here is ever filled in by default.
type CertificationInput struct {
	Code        string `json:"code"`
	Statement   string `json:"statement"`
	OfficerName string `json:"officer_name"`
}

// normalizeDraftFields applies the two conveniences of a draft: totals
// computed from quantity and unit price when left 0, and US units marked
// as stated by the applicant (tollgate counts "records" itself).
func normalizeDraftFields(items []tollgate.ApplicationItem, us []tollgate.USUnitsShipped) error {
	for i := range items {
		it := &items[i]
		if it.TotalCents == 0 && it.Quantity > 0 && it.UnitPriceCents > 0 && it.Quantity <= (1<<62)/it.UnitPriceCents {
			it.TotalCents = it.Quantity * it.UnitPriceCents
		}
	}
	for i := range us {
		switch us[i].Source {
		case "", tollgate.UnitsStated:
			us[i].Source = tollgate.UnitsStated
		default:
			return tollgate.FieldErrorf(fmt.Sprintf("us_shipments[%d].source", i), "an applicant states units (%q); %q are counted by tollgate", tollgate.UnitsStated, us[i].Source)
		}
	}
	return nil
}

// CreateDraft stores a new draft application for the caller's exporter
// (the applicant defaults to the caller's organization and must be it).
// Every party it names must be a party of the applicant.
func (s *Service) CreateDraft(ctx context.Context, d Draft) (*store.StoredApplication, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.CreateDraft: %w", err)
	}
	if d.Parties.Applicant == "" {
		d.Parties.Applicant = p.OrgID
	}
	if err := outOfReach(s.authorize(p, PermApplicationWrite, Ownership{OrgID: d.Parties.Applicant}), "organization", d.Parties.Applicant); err != nil {
		return nil, fmt.Errorf("licensing.CreateDraft: %w", err)
	}
	if err := normalizeDraftFields(d.Items, d.USShipments); err != nil {
		return nil, fmt.Errorf("licensing.CreateDraft: %w", err)
	}
	var sa *store.StoredApplication
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		app := tollgate.Application{
			Parties: d.Parties, Destination: d.Destination, ExportFrom: d.ExportFrom, Reexport: d.Reexport,
			EndUse: d.EndUse, Items: slices.Clone(d.Items), USShipments: slices.Clone(d.USShipments), CreatedBy: p.UserID,
			ApplicationReview: tollgate.ApplicationReview{State: tollgate.ApplicationDraft},
		}
		s.identify(&app)
		var err error
		if sa, err = tx.InsertApplication(ctx, &app); err != nil {
			return err
		}
		return tx.Audit(ctx, "application.create", "application", sa.ID, nil, &sa.Application)
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.CreateDraft: %w", err)
	}
	return sa, nil
}

// UpdateDraft applies upd to a draft. A change to what the application
// says withdraws its certifications, since they certify what it said; the
// officer certifies again. expectedVersion, when not 0, must be the
// current version (ECONFLICT otherwise).
func (s *Service) UpdateDraft(ctx context.Context, id string, upd DraftUpdate, expectedVersion int64) (*store.StoredApplication, error) {
	var sa *store.StoredApplication
	err := s.mutateDraft(ctx, id, PermApplicationWrite, expectedVersion, []tollgate.ApplicationState{tollgate.ApplicationDraft},
		func(tx *store.Tx, p *tollgate.Principal, cur *store.StoredApplication) (string, error) {
			app := &cur.Application
			if upd.Parties != nil {
				if upd.Parties.Applicant != "" && upd.Parties.Applicant != app.Parties.Applicant {
					return "", tollgate.FieldErrorf("parties.applicant", "the applicant of an application never changes")
				}
				parties := *upd.Parties
				parties.Applicant = app.Parties.Applicant
				app.Parties = parties
			}
			setIf(&app.Destination, upd.Destination)
			setIf(&app.ExportFrom, upd.ExportFrom)
			setIf(&app.EndUse, upd.EndUse)
			if upd.Reexport != nil {
				app.Reexport = *upd.Reexport
			}
			if upd.Items != nil {
				app.Items = slices.Clone(*upd.Items)
			}
			if upd.USShipments != nil {
				app.USShipments = slices.Clone(*upd.USShipments)
			}
			if err := normalizeDraftFields(app.Items, app.USShipments); err != nil {
				return "", err
			}
			s.identify(app)
			app.Certifications = nil
			sa = cur
			return "application.update", nil
		})
	if err != nil {
		return nil, fmt.Errorf("licensing.UpdateDraft: %w", err)
	}
	return sa, nil
}

func setIf(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}

// mutateDraft runs one change to an application in one transaction: load
// and lock it, authorize perm, check the version and the states the change
// is allowed in, apply change (which returns the audit action), store and
// audit.
func (s *Service) mutateDraft(ctx context.Context, id, perm string, expectedVersion int64, states []tollgate.ApplicationState,
	change func(tx *store.Tx, p *tollgate.Principal, sa *store.StoredApplication) (string, error)) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		sa, err := tx.ApplicationForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := s.check(p, perm, sa); err != nil {
			return err
		}
		if expectedVersion != 0 && expectedVersion != sa.Version {
			return tollgate.Errorf(tollgate.ECONFLICT, "application %s is at version %d, not %d; reload it and try again", sa.ID, sa.Version, expectedVersion)
		}
		if !slices.Contains(states, sa.State) {
			return tollgate.Errorf(tollgate.ECONFLICT, "application %s is %s; this change is allowed only when it is %s", sa.ID, sa.State, joinStates(states))
		}
		before := cloneApplication(sa.Application)
		action, err := change(tx, p, sa)
		if err != nil {
			return err
		}
		if err := tx.UpdateApplication(ctx, sa); err != nil {
			return err
		}
		return tx.Audit(ctx, action, "application", sa.ID, &before, &sa.Application)
	})
}

// UploadDocument attaches a supporting document to a draft (or to an
// application whose officer asked for information): content must be of an
// accepted type, recognized by its leading bytes (a PDF starts "%PDF-" and
// ends with "%%EOF"), no larger than the configured limit. The store keeps
// the content under its SHA-256.
func (s *Service) UploadDocument(ctx context.Context, id, name, contentType string, content []byte) (*store.StoredApplication, tollgate.SupportingDocument, error) {
	doc, err := s.checkDocument(name, contentType, content)
	if err != nil {
		return nil, doc, fmt.Errorf("licensing.UploadDocument: %w", err)
	}
	var sa *store.StoredApplication
	err = s.mutateDraft(ctx, id, PermApplicationWrite, 0,
		[]tollgate.ApplicationState{tollgate.ApplicationDraft, tollgate.ApplicationInfoRequested},
		func(tx *store.Tx, p *tollgate.Principal, cur *store.StoredApplication) (string, error) {
			if err := tx.PutApplicationDocument(ctx, cur.ID, doc, content, p.UserID); err != nil {
				return "", err
			}
			cur.Documents = append(cur.Documents, doc)
			sa = cur
			return "application.document.upload", nil
		})
	if err != nil {
		return nil, doc, fmt.Errorf("licensing.UploadDocument: %w", err)
	}
	return sa, doc, nil
}

// checkDocument validates an upload and returns the document that
// identifies it.
func (s *Service) checkDocument(name, contentType string, content []byte) (tollgate.SupportingDocument, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	sum := sha256.Sum256(content)
	doc := tollgate.SupportingDocument{Name: name, Digest: hex.EncodeToString(sum[:]), Size: int64(len(content))}
	switch {
	case name == "" || name == "." || name == "/" || !utf8.ValidString(name):
		return doc, tollgate.FieldErrorf("name", "a file name is required")
	case len(content) == 0:
		return doc, tollgate.FieldErrorf("content", "the document is empty")
	case int64(len(content)) > s.cfg.MaxDocumentBytes:
		return doc, tollgate.Errorf(tollgate.ELIMIT, "the document has %s bytes; the limit is %s", thousands(int64(len(content))), thousands(s.cfg.MaxDocumentBytes))
	}
	sniffed := sniffType(content)
	if contentType != "" && contentType != sniffed {
		return doc, tollgate.FieldErrorf("content_type", "the content is %s, not %s", sniffed, contentType)
	}
	if !slices.Contains(s.cfg.DocumentTypes, sniffed) {
		return doc, tollgate.FieldErrorf("content", "the content is %s; accepted: %s", sniffed, strings.Join(s.cfg.DocumentTypes, ", "))
	}
	doc.ContentType = sniffed
	if err := doc.Validate(); err != nil {
		return doc, err
	}
	return doc, nil
}

// sniffType names the content's type from its bytes: application/pdf for
// a complete PDF (header and end-of-file marker), else what
// http.DetectContentType finds.
func sniffType(content []byte) string {
	if bytes.HasPrefix(content, []byte("%PDF-")) {
		tail := content[max(0, len(content)-1024):]
		if bytes.Contains(tail, []byte("%%EOF")) {
			return "application/pdf"
		}
		return "application/octet-stream (a truncated PDF: no %%EOF marker)"
	}
	ct := http.DetectContentType(content)
	if ct == "application/pdf" {
		return "application/octet-stream" // a PDF signature past the first byte
	}
	return ct
}

// Certify records the caller's explicit certification on a draft: the
// code must be one the application's classification requires, and the
// statement its required text. A later certification of the same code
// replaces the earlier one.
func (s *Service) Certify(ctx context.Context, id string, in CertificationInput, expectedVersion int64) (*store.StoredApplication, error) {
	var sa *store.StoredApplication
	err := s.mutateDraft(ctx, id, PermApplicationSubmit, expectedVersion, []tollgate.ApplicationState{tollgate.ApplicationDraft},
		func(tx *store.Tx, p *tollgate.Principal, cur *store.StoredApplication) (string, error) {
			req, err := s.requiredCertification(ctx, tx, &cur.Application, strings.TrimSpace(in.Code))
			if err != nil {
				return "", err
			}
			c, err := Certify(req, in.Statement, in.OfficerName, p.UserID, tx.Now())
			if err != nil {
				return "", err
			}
			cur.Certifications = slices.DeleteFunc(cur.Certifications, func(x tollgate.Certification) bool { return x.Code == c.Code })
			cur.Certifications = append(cur.Certifications, c)
			sa = cur
			return "application.certify", nil
		})
	if err != nil {
		return nil, fmt.Errorf("licensing.Certify: %w", err)
	}
	return sa, nil
}

// RequiredCertifications returns the certifications the application's
// current classification requires, each with the statement to certify.
func (s *Service) RequiredCertifications(ctx context.Context, id string) ([]tollgate.RequiredCertification, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.RequiredCertifications: %w", err)
	}
	var reqs []tollgate.RequiredCertification
	err = s.db.View(ctx, func(tx *store.Tx) error {
		sa, err := tx.Application(ctx, id)
		if err != nil {
			return err
		}
		if err := s.check(p, PermApplicationRead, sa); err != nil {
			return err
		}
		in, err := s.gather(ctx, tx, &sa.Application)
		if err != nil {
			return err
		}
		for _, r := range requiredCertifications(in.Classifications) {
			r.Text = RequiredStatement(r)
			reqs = append(reqs, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.RequiredCertifications: %w", err)
	}
	return reqs, nil
}

func (s *Service) requiredCertification(ctx context.Context, tx *store.Tx, app *tollgate.Application, code string) (tollgate.RequiredCertification, error) {
	in, err := s.gather(ctx, tx, app)
	if err != nil {
		return tollgate.RequiredCertification{}, err
	}
	reqs := requiredCertifications(in.Classifications)
	var codes []string
	for _, r := range reqs {
		if r.Code == code {
			return r, nil
		}
		codes = append(codes, r.Code)
	}
	if len(codes) == 0 {
		return tollgate.RequiredCertification{}, tollgate.FieldErrorf("code", "the application as classified requires no certification")
	}
	return tollgate.RequiredCertification{}, tollgate.FieldErrorf("code", "%q is not required for this application; required: %s", code, strings.Join(codes, ", "))
}

func joinStates(states []tollgate.ApplicationState) string {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	return strings.Join(names, " or ")
}

// cloneApplication copies the slices of app that a use case changes, so
// the audit record's "before" stays what was stored.
func cloneApplication(app tollgate.Application) tollgate.Application {
	app.Items = slices.Clone(app.Items)
	app.Documents = slices.Clone(app.Documents)
	app.USShipments = slices.Clone(app.USShipments)
	app.Certifications = slices.Clone(app.Certifications)
	app.ApplicationReview = cloneReview(app.ApplicationReview)
	return app
}
