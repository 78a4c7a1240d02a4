package api

import (
	"context"
	"net/http"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
	"tollgate/store"
)

// Permissions of the licensing routes, as in auth's policy table.
const (
	PermApplicationRead      = licensing.PermApplicationRead
	PermApplicationWrite     = licensing.PermApplicationWrite
	PermApplicationSubmit    = licensing.PermApplicationSubmit
	PermApplicationReview    = licensing.PermApplicationReview
	PermApplicationRefer     = licensing.PermApplicationRefer
	PermApplicationRecommend = licensing.PermApplicationRecommend
	PermApplicationDecide    = licensing.PermApplicationDecide
	PermLicenseRead          = licensing.PermLicenseRead
	PermLicenseWrite         = licensing.PermLicenseWrite
	PermLicenseAcknowledge   = licensing.PermLicenseAcknowledge
)

// Licensing is what the API needs from the licensing service
// (*licensing.Service). Every method acts for the principal in its context
// and checks the object-level permission itself.
type Licensing interface {
	CreateDraft(ctx context.Context, d licensing.Draft) (*store.StoredApplication, error)
	UpdateDraft(ctx context.Context, id string, upd licensing.DraftUpdate, version int64) (*store.StoredApplication, error)
	UploadDocument(ctx context.Context, id, name, contentType string, content []byte) (*store.StoredApplication, tollgate.SupportingDocument, error)
	Document(ctx context.Context, id, digest string) (tollgate.SupportingDocument, []byte, error)
	RequiredCertifications(ctx context.Context, id string) ([]tollgate.RequiredCertification, error)
	Certify(ctx context.Context, id string, in licensing.CertificationInput, version int64) (*store.StoredApplication, error)
	Precheck(ctx context.Context, id string) (*licensing.PrecheckReport, error)
	Submit(ctx context.Context, id string, version int64) (*licensing.Outcome, error)
	Apply(ctx context.Context, id string, ev licensing.Event, version int64) (*licensing.Outcome, error)
	Application(ctx context.Context, id string) (*licensing.ApplicationView, error)
	FindApplications(ctx context.Context, q licensing.ApplicationQuery) ([]*licensing.ApplicationView, string, error)
	License(ctx context.Context, id string) (*licensing.LicenseView, error)
	FindLicenses(ctx context.Context, f store.LicenseFilter) ([]*licensing.LicenseView, string, error)
	Acknowledge(ctx context.Context, licenseID string, in licensing.AcknowledgmentInput) (*licensing.LicenseView, error)
	SetLicenseStatus(ctx context.Context, licenseID string, in licensing.LicenseStatusInput) (*licensing.LicenseView, error)
	AgencyOrgs(ctx context.Context) (map[string]string, error)
	SetAgencyOrg(ctx context.Context, code, orgID string) error
}

var _ Licensing = (*licensing.Service)(nil)

// AuthorizeLicensing is the licensing service's Authorizer over auth's
// policy (auth.Authorize), for wiring the service an API serves.
func AuthorizeLicensing(p *tollgate.Principal, perm string, own licensing.Ownership) error {
	return auth.Authorize(p, perm, auth.OwnedBy(own.OrgID, own.AssignedOrgIDs...))
}

// lic returns the licensing service, or EUNAVAILABLE when the server was
// built without one.
func (s *server) lic() (Licensing, error) {
	if s.licensing == nil {
		return nil, tollgate.Errorf(tollgate.EUNAVAILABLE, "licensing is not configured on this server")
	}
	return s.licensing, nil
}

// ApplicationPatch is the body of PATCH /v1/applications/{id}: the fields
// of the draft to change, and optionally the version the client read
// (a change made since then is a 409).
type ApplicationPatch struct {
	licensing.DraftUpdate
	Version int64 `json:"version,omitempty"`
}

// DocumentUpload is the body of POST /v1/applications/{id}/documents: a
// PDF, base64-encoded in JSON, with its file name.
type DocumentUpload struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Content     []byte `json:"content"`
}

// DocumentUploaded is the answer to a document upload: the application as
// stored and the document as filed (name, SHA-256, size, type).
type DocumentUploaded struct {
	Application *store.StoredApplication    `json:"application"`
	Document    tollgate.SupportingDocument `json:"document"`
}

// CertificationRequest is the body of POST
// /v1/applications/{id}/certifications: one explicit certification by the
// caller (the officer), with the statement's exact text.
type CertificationRequest struct {
	licensing.CertificationInput
	Version int64 `json:"version,omitempty"`
}

// maxDocumentUploadBytes bounds the body of a document upload: the default
// 25 MiB document limit in base64, plus room for the JSON around it. The
// service applies its configured limit to the decoded content.
const maxDocumentUploadBytes = 25<<20*4/3 + 64<<10

// applicationParams are the query parameters of GET /v1/applications.
var applicationParams = []Param{
	{Name: "state", Type: "string", Description: "Only applications in this state (draft, submitted, under_review, …)."},
	{Name: "overdue", Type: "boolean", Description: "Only applications under review with an open deadline past due (a page may then hold fewer items than the limit)."},
	paramCursor, paramLimit,
}

func (s *server) handleCreateApplication(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[licensing.Draft](r)
	if err != nil {
		return err
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	sa, err := svc.CreateDraft(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/applications/"+sa.ID)
	return encode(w, http.StatusCreated, sa)
}

func (s *server) handleListApplications(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	overdue, err := queryBool(r, "overdue")
	if err != nil {
		return err
	}
	q := licensing.ApplicationQuery{ApplicationFilter: store.ApplicationFilter{Cursor: cursor, Limit: limit}, Overdue: overdue}
	if st := tollgate.ApplicationState(queryString(r, "state")); st != "" {
		if !st.Valid() {
			return tollgate.FieldErrorf("state", "unknown application state %q", st)
		}
		q.States = []tollgate.ApplicationState{st}
	}
	sc, err := auth.ScopeOf(principalFrom(r.Context()), PermApplicationRead)
	if err != nil {
		return err
	}
	if !sc.All {
		if sc.OrgID == "" && sc.AssignedOrgID == "" {
			return encodeEmptyPage[licensing.ApplicationView](w, nil)
		}
		q.OrgID, q.AssignedOrgID = sc.OrgID, sc.AssignedOrgID
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	views, next, err := svc.FindApplications(r.Context(), q)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(views, next))
}

func (s *server) handleGetApplication(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lic()
	if err != nil {
		return err
	}
	v, err := svc.Application(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (s *server) handleUpdateApplication(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ApplicationPatch](r)
	if err != nil {
		return err
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	sa, err := svc.UpdateDraft(r.Context(), r.PathValue("id"), in.DraftUpdate, in.Version)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, sa)
}

func (s *server) handleUploadDocument(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[DocumentUpload](r)
	if err != nil {
		return err
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	sa, doc, err := svc.UploadDocument(r.Context(), r.PathValue("id"), in.Name, in.ContentType, in.Content)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/applications/"+sa.ID+"/documents/"+doc.Digest)
	return encode(w, http.StatusCreated, DocumentUploaded{Application: sa, Document: doc})
}

// handleGetDocument answers with the document's bytes as filed.
func (s *server) handleGetDocument(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lic()
	if err != nil {
		return err
	}
	doc, content, err := svc.Document(r.Context(), r.PathValue("id"), r.PathValue("digest"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+doc.Digest+`.pdf"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("ETag", `"`+doc.Digest+`"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(content)
	return err
}

func (s *server) handleRequiredCertifications(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lic()
	if err != nil {
		return err
	}
	reqs, err := svc.RequiredCertifications(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if reqs == nil {
		reqs = []tollgate.RequiredCertification{}
	}
	return encode(w, http.StatusOK, reqs)
}

func (s *server) handleCertify(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[CertificationRequest](r)
	if err != nil {
		return err
	}
	svc, err := s.lic()
	if err != nil {
		return err
	}
	sa, err := svc.Certify(r.Context(), r.PathValue("id"), in.CertificationInput, in.Version)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, sa)
}

func (s *server) handlePrecheck(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.lic()
	if err != nil {
		return err
	}
	rep, err := svc.Precheck(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, rep)
}
