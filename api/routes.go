package api

import (
	"net/http"

	"tollgate"
	"tollgate/licensing"
	"tollgate/screening"
	"tollgate/shipping"
	"tollgate/store"
)

// Route describes one operation of the API. The table in routes() is the
// single list of every route: the mux, the OpenAPI document and the auth
// policy are all built from it.
type Route struct {
	// Method and Pattern are registered on the mux as "METHOD PATTERN"
	// (Go 1.22 ServeMux syntax; {name} is a path parameter).
	Method  string
	Pattern string
	// Permission is what the caller must hold; PermPublic for routes that
	// expose no tenant data.
	Permission string
	// OperationID, Summary and Tag describe the route in OpenAPI.
	OperationID string
	Summary     string
	Tag         string
	// Query lists the query parameters the route accepts; any other is
	// rejected with 400.
	Query []Param
	// Request and Response are zero values of the body types, used only
	// for the OpenAPI schemas; nil when there is no JSON body.
	Request  any
	Response any
	// Status is the success status (200 when zero).
	Status int
	// Safe marks a POST that changes nothing (it carries a query too large
	// for a URL), so it needs no Idempotency-Key.
	Safe bool
	// MaxBodyBytes overrides Limits.MaxBodyBytes for routes that take
	// larger bodies (list imports).
	MaxBodyBytes int64
	// Credentials marks signing in and out: they change state (a session)
	// but run outside the Idempotency-Key protocol, because their answer
	// sets a cookie that a replay must never hand to a second caller.
	Credentials bool
}

// mutating reports whether the route changes state and so runs under the
// Idempotency-Key protocol.
func (rt *Route) mutating() bool {
	switch rt.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return !rt.Safe && !rt.Credentials
	}
	return false
}

// route is a Route with its handler.
type route struct {
	Route
	handle handlerFunc
}

// handlerFunc serves one route; an error is answered as a problem
// document by the route's middleware.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Routes returns the API's routes (without handlers), for the auth policy
// tests and documentation.
func Routes() []Route {
	rs := (&server{}).routes()
	out := make([]Route, len(rs))
	for i, r := range rs {
		out[i] = r.Route
	}
	return out
}

// routes is the whole API.
func (s *server) routes() []route {
	page := []Param{paramCursor, paramLimit}
	return []route{
		// Operations.
		{Route{Method: "GET", Pattern: "/healthz", Permission: PermPublic, OperationID: "health", Tag: "operations",
			Summary: "Report that the process is up", Response: Health{}}, s.handleHealthz},
		{Route{Method: "GET", Pattern: "/readyz", Permission: PermPublic, OperationID: "ready", Tag: "operations",
			Summary: "Report whether the store answers", Response: Health{}}, s.handleReadyz},
		{Route{Method: "GET", Pattern: "/openapi.json", Permission: PermPublic, OperationID: "openapi", Tag: "operations",
			Summary: "This API's OpenAPI 3.1 document", Response: map[string]any{}}, s.handleOpenAPI},

		// Organizations.
		{Route{Method: "POST", Pattern: "/v1/orgs", Permission: PermOrgWrite, OperationID: "createOrg", Tag: "orgs",
			Summary: "Create an organization", Request: OrgInput{}, Response: tollgate.Org{}, Status: http.StatusCreated}, s.handleCreateOrg},
		{Route{Method: "GET", Pattern: "/v1/orgs", Permission: PermOrgRead, OperationID: "listOrgs", Tag: "orgs",
			Summary: "List organizations, oldest first", Response: Page[tollgate.Org]{},
			Query: append([]Param{{Name: "kind", Type: "string", Description: "Only organizations of this kind."}}, page...)}, s.handleListOrgs},
		{Route{Method: "GET", Pattern: "/v1/orgs/{id}", Permission: PermOrgRead, OperationID: "getOrg", Tag: "orgs",
			Summary: "Get an organization", Response: tollgate.Org{}}, s.handleGetOrg},
		{Route{Method: "PATCH", Pattern: "/v1/orgs/{id}", Permission: PermOrgWrite, OperationID: "updateOrg", Tag: "orgs",
			Summary: "Change an organization's name or country", Request: tollgate.OrgUpdate{}, Response: tollgate.Org{}}, s.handleUpdateOrg},

		// Signing in and out, users and their API tokens.
		{Route{Method: "POST", Pattern: "/v1/login", Permission: PermPublic, OperationID: "login", Tag: "access",
			Summary: "Sign in with email and password; sets the session cookie (429 with Retry-After when rate limited)",
			Request: LoginInput{}, Response: LoginResult{}, Credentials: true}, s.handleLogin},
		{Route{Method: "POST", Pattern: "/v1/logout", Permission: PermPublic, OperationID: "logout", Tag: "access",
			Summary: "Sign out: end the session of the cookie and clear it", Status: http.StatusNoContent, Credentials: true}, s.handleLogout},
		{Route{Method: "POST", Pattern: "/v1/users", Permission: PermUserWrite, OperationID: "createUser", Tag: "access",
			Summary: "Create a user of an organization with roles (and, optionally, a password)", Request: UserInput{},
			Response: tollgate.User{}, Status: http.StatusCreated}, s.handleCreateUser},
		{Route{Method: "GET", Pattern: "/v1/users", Permission: PermUserRead, OperationID: "listUsers", Tag: "access",
			Summary: "List users, oldest first", Response: Page[tollgate.User]{},
			Query: append([]Param{{Name: "org_id", Type: "string", Description: "Only users of this organization."}}, page...)}, s.handleListUsers},
		{Route{Method: "GET", Pattern: "/v1/users/{id}", Permission: PermUserRead, OperationID: "getUser", Tag: "access",
			Summary: "Get a user", Response: tollgate.User{}}, s.handleGetUser},
		{Route{Method: "PATCH", Pattern: "/v1/users/{id}", Permission: PermUserWrite, OperationID: "updateUser", Tag: "access",
			Summary: "Rename a user, set its roles, or disable (ending its sessions and revoking its tokens) or enable it", Request: tollgate.UserUpdate{},
			Response: tollgate.User{}}, s.handleUpdateUser},
		{Route{Method: "POST", Pattern: "/v1/tokens", Permission: PermTokenWrite, OperationID: "createToken", Tag: "access",
			Summary: "Create an API token for a user (default: the caller); its secret is in this answer only", Request: TokenInput{},
			Response: NewToken{}, Status: http.StatusCreated}, s.handleCreateToken},
		{Route{Method: "GET", Pattern: "/v1/tokens", Permission: PermTokenRead, OperationID: "listTokens", Tag: "access",
			Summary: "List a user's API tokens (default: the caller's), newest first, without their secrets", Response: Page[tollgate.Token]{},
			Query: []Param{{Name: "user_id", Type: "string", Description: "The tokens of this user; default: the caller."}}}, s.handleListTokens},
		{Route{Method: "DELETE", Pattern: "/v1/tokens/{id}", Permission: PermTokenWrite, OperationID: "revokeToken", Tag: "access",
			Summary: "Revoke an API token at once", Response: tollgate.Token{}}, s.handleRevokeToken},

		// Parties.
		{Route{Method: "POST", Pattern: "/v1/parties", Permission: PermPartyWrite, OperationID: "createParty", Tag: "parties",
			Summary: "Create a party (purchaser, consignee or end user)", Request: PartyInput{}, Response: tollgate.Party{}, Status: http.StatusCreated}, s.handleCreateParty},
		{Route{Method: "GET", Pattern: "/v1/parties", Permission: PermPartyRead, OperationID: "listParties", Tag: "parties",
			Summary: "List parties, oldest first", Response: Page[tollgate.Party]{},
			Query: append([]Param{
				{Name: "org_id", Type: "string", Description: "Only parties of this organization."},
				{Name: "role", Type: "string", Description: "Only parties with this role."},
				{Name: "status", Type: "string", Description: "Only parties with this screening status."},
			}, page...)}, s.handleListParties},
		{Route{Method: "GET", Pattern: "/v1/parties/{id}", Permission: PermPartyRead, OperationID: "getParty", Tag: "parties",
			Summary: "Get a party with its screening status", Response: tollgate.Party{}}, s.handleGetParty},
		{Route{Method: "PATCH", Pattern: "/v1/parties/{id}", Permission: PermPartyWrite, OperationID: "updateParty", Tag: "parties",
			Summary: "Change a party; a change to its names or countries makes it unscreened", Request: tollgate.PartyUpdate{}, Response: tollgate.Party{}}, s.handleUpdateParty},

		// Screening.
		{Route{Method: "POST", Pattern: "/v1/screen", Permission: PermScreenRun, OperationID: "screenNames", Tag: "screening",
			Summary: "Screen 1 to 1,000 names against the current list versions (records nothing)", Safe: true,
			Request: ScreenRequest{}, Response: screening.NamesResult{}}, s.handleScreenNames},
		{Route{Method: "POST", Pattern: "/v1/parties/{id}/screen", Permission: PermPartyScreen, OperationID: "screenParty", Tag: "screening",
			Summary: "Screen a party under all its names, record the result and return what changed", Response: tollgate.ScreeningDiff{},
			Status: http.StatusCreated}, s.handleScreenParty},
		{Route{Method: "GET", Pattern: "/v1/parties/{id}/screenings", Permission: PermPartyRead, OperationID: "listScreenings", Tag: "screening",
			Summary: "List a party's screenings, newest first", Response: Page[tollgate.Screening]{}, Query: page}, s.handleListScreenings},
		{Route{Method: "GET", Pattern: "/v1/parties/{id}/screenings/latest", Permission: PermPartyRead, OperationID: "getLatestScreening", Tag: "screening",
			Summary: "Get a party's latest screening with the decisions in force on its hits", Response: tollgate.Screening{}}, s.handleLatestScreening},
		{Route{Method: "GET", Pattern: "/v1/screenings/{id}", Permission: PermPartyRead, OperationID: "getScreening", Tag: "screening",
			Summary: "Get a screening", Response: tollgate.Screening{}}, s.handleGetScreening},
		{Route{Method: "POST", Pattern: "/v1/parties/{id}/decisions", Permission: PermHitDecide, OperationID: "decideHit", Tag: "screening",
			Summary: "Decide a hit of the party's latest screening: false_positive (with a reason) or true_match",
			Request: DecisionInput{}, Response: DecisionResult{}, Status: http.StatusCreated}, s.handleDecideHit},
		{Route{Method: "GET", Pattern: "/v1/parties/{id}/decisions", Permission: PermPartyRead, OperationID: "listDecisions", Tag: "screening",
			Summary: "List the decisions taken on a party's hits, newest first", Response: Page[tollgate.HitDecision]{}, Query: page}, s.handleListDecisions},

		// Lists.
		{Route{Method: "GET", Pattern: "/v1/lists", Permission: PermListRead, OperationID: "listListVersions", Tag: "lists",
			Summary: "List imported list versions, newest first (current=true: the current version of each source)", Response: Page[tollgate.ListVersion]{},
			Query: append([]Param{
				{Name: "source", Type: "string", Description: "Only versions of this source (csl, ofac, un, dpl, internal)."},
				{Name: "current", Type: "boolean", Description: "Only the current version of each source; not paged."},
			}, page...)}, s.handleListListVersions},
		{Route{Method: "GET", Pattern: "/v1/lists/{id}", Permission: PermListRead, OperationID: "getListVersion", Tag: "lists",
			Summary: "Get a list version", Response: tollgate.ListVersion{}}, s.handleGetListVersion},
		{Route{Method: "GET", Pattern: "/v1/lists/{id}/entries", Permission: PermListRead, OperationID: "listListEntries", Tag: "lists",
			Summary: "List the entries of a list version in file order", Response: Page[tollgate.ListEntry]{},
			Query: append([]Param{
				{Name: "list", Type: "string", Description: "Only entries of this list code (SDN, EL, …)."},
				{Name: "source_id", Type: "string", Description: "Only the entry with this source id."},
			}, page...)}, s.handleListListEntries},
		{Route{Method: "POST", Pattern: "/v1/lists/import", Permission: PermListWrite, OperationID: "importList", Tag: "lists",
			Summary: "Import a list file sent inline; the same bytes again are a no-op; a file published before the current version is refused (409) unless allow_older with a reason", Request: ListImportInput{},
			Response: ListImportResult{}, Status: http.StatusCreated, MaxBodyBytes: maxListImportBytes}, s.handleImportList},

		// Audit log.
		{Route{Method: "GET", Pattern: "/v1/audit/records", Permission: PermAuditRead, OperationID: "listAuditRecords", Tag: "audit",
			Summary: "List audit records, oldest first; the auditor gets their sequence numbers, canonical encodings and leaf hashes, a caller reading only its own records gets none of them", Response: Page[AuditRecord]{},
			Query: auditRecordParams}, s.handleListAuditRecords},
		{Route{Method: "GET", Pattern: "/v1/audit/reconcile", Permission: PermReconcileRead, OperationID: "reconcileAudit", Tag: "audit",
			Summary: "Compare every live object with its last audit record: name those that differ, and the fields", Response: store.ReconcileReport{},
			Query: auditReconcileParams}, s.handleAuditReconcile},
		{Route{Method: "GET", Pattern: "/v1/audit/checkpoint", Permission: PermCheckpointRead, OperationID: "getAuditCheckpoint", Tag: "audit",
			Summary: "Get a signed checkpoint of the whole audit log (made now when the log grew)", Response: AuditCheckpoint{}}, s.handleAuditCheckpoint},
		{Route{Method: "GET", Pattern: "/v1/audit/proof/inclusion", Permission: PermCheckpointRead, OperationID: "getInclusionProof", Tag: "audit",
			Summary: "Prove that the tree of a checkpoint's size holds a record", Response: InclusionProofResult{},
			Query: auditInclusionParams}, s.handleInclusionProof},
		{Route{Method: "GET", Pattern: "/v1/audit/proof/consistency", Permission: PermCheckpointRead, OperationID: "getConsistencyProof", Tag: "audit",
			Summary: "Prove that a newer tree holds an older one as its prefix", Response: ConsistencyProofResult{},
			Query: auditConsistencyParams}, s.handleConsistencyProof},

		// License applications (see application_events.go for the review's
		// event routes and their bodies).
		{Route{Method: "POST", Pattern: "/v1/applications", Permission: PermApplicationWrite, OperationID: "createApplication", Tag: "applications",
			Summary: "Draft a license application (parties, destination, end use, items, US units shipped)", Request: licensing.Draft{},
			Response: store.StoredApplication{}, Status: http.StatusCreated}, s.handleCreateApplication},
		{Route{Method: "GET", Pattern: "/v1/applications", Permission: PermApplicationRead, OperationID: "listApplications", Tag: "applications",
			Summary:  "List the applications the caller may read, oldest first (overdue=true: only those past a deadline)",
			Response: Page[licensing.ApplicationView]{}, Query: applicationParams}, s.handleListApplications},
		{Route{Method: "GET", Pattern: "/v1/applications/{id}", Permission: PermApplicationRead, OperationID: "getApplication", Tag: "applications",
			Summary: "Get an application with its review, allowed events and deadlines", Response: licensing.ApplicationView{}}, s.handleGetApplication},
		{Route{Method: "PATCH", Pattern: "/v1/applications/{id}", Permission: PermApplicationWrite, OperationID: "updateApplication", Tag: "applications",
			Summary: "Change a draft; its certifications are withdrawn and must be made again", Request: ApplicationPatch{},
			Response: store.StoredApplication{}}, s.handleUpdateApplication},
		{Route{Method: "POST", Pattern: "/v1/applications/{id}/documents", Permission: PermApplicationWrite, OperationID: "uploadDocument", Tag: "applications",
			Summary: "Attach a supporting PDF (base64 in JSON; type checked by its bytes, size-limited, stored by SHA-256)",
			Request: DocumentUpload{}, Response: DocumentUploaded{}, Status: http.StatusCreated, MaxBodyBytes: maxDocumentUploadBytes}, s.handleUploadDocument},
		{Route{Method: "GET", Pattern: "/v1/applications/{id}/documents/{digest}", Permission: PermApplicationRead, OperationID: "getDocument", Tag: "applications",
			Summary: "Download a supporting document as filed (application/pdf)"}, s.handleGetDocument},
		{Route{Method: "GET", Pattern: "/v1/applications/{id}/certifications", Permission: PermApplicationRead, OperationID: "listRequiredCertifications",
			Tag: "applications", Summary: "The certifications the application's classification requires, with the exact statements",
			Response: []tollgate.RequiredCertification{}}, s.handleRequiredCertifications},
		{Route{Method: "POST", Pattern: "/v1/applications/{id}/certifications", Permission: PermApplicationSubmit, OperationID: "certifyApplication",
			Tag: "applications", Summary: "Make one required certification as the caller, with the statement's exact text and the officer's name",
			Request: CertificationRequest{}, Response: store.StoredApplication{}}, s.handleCertify},
		{Route{Method: "GET", Pattern: "/v1/applications/{id}/precheck", Permission: PermApplicationRead, OperationID: "precheckApplication", Tag: "applications",
			Summary:  "Run the prechecks (classification, screening, certifications, 50% cap, documents): each passes, warns (a presumption of denial) or fails with its reason",
			Response: licensing.PrecheckReport{}}, s.handlePrecheck},
		s.eventRoute("submit", PermApplicationSubmit, "submitApplication",
			"Submit a draft: the prechecks run again and must all pass, warnings allowed (422 lists the failing ones); assigns the control number",
			VersionInput{}, eventHandler[VersionInput](s, licensing.EventSubmit)),
		s.eventRoute("accept", PermApplicationReview, "acceptApplication", "Register a submitted application and start the licensing review",
			VersionInput{}, eventHandler[VersionInput](s, licensing.EventAccept)),
		s.eventRoute("request-info", PermApplicationReview, "requestInformation", "Ask the applicant for information (the 90-day clock stops)",
			TextInput{}, eventHandler[TextInput](s, licensing.EventRequestInfo)),
		s.eventRoute("respond", PermApplicationWrite, "respondToRequest", "Answer the open request for information",
			TextInput{}, eventHandler[TextInput](s, licensing.EventRespond)),
		s.eventRoute("refer", PermApplicationRefer, "referApplication", "Refer the application to DOD, STATE and/or DOE for 30 days",
			ReferInput{}, eventHandler[ReferInput](s, licensing.EventRefer)),
		s.eventRoute("recommend", PermApplicationRecommend, "recommendOnApplication",
			"Record the caller's agency's recommendation (approve, approve_with_conditions, deny) with reasons",
			RecommendInput{}, eventHandler[RecommendInput](s, licensing.EventRecommend)),
		s.eventRoute("escalate", PermApplicationReview, "escalateApplication", "Escalate the case to the Operating Committee",
			TextInput{}, eventHandler[TextInput](s, licensing.EventEscalate)),
		s.eventRoute("decision", PermApplicationDecide, "decideApplication",
			"Approve (issuing the license), approve in part, deny or return without action",
			DecisionRequest{}, eventHandler[DecisionRequest](s, licensing.EventDecide)),
		s.eventRoute("committee-decision", PermApplicationDecide, "recordCommitteeDecision",
			"Record the Operating Committee chair's decision on an escalated case; it can be appealed for 5 days",
			DecisionRequest{}, eventHandler[DecisionRequest](s, licensing.EventCommitteeDecide)),
		s.eventRoute("appeal", PermApplicationRecommend, "appealDecision",
			"Appeal the pending decision to the next level (ACEP, EARB, the President) within 5 days, as an agency that dissented from it",
			AppealInput{}, eventHandler[AppealInput](s, licensing.EventAppeal)),
		s.eventRoute("appeal-decision", PermApplicationDecide, "recordAppealDecision",
			"Record the decision of the level appealed to, citing its decision document; the President's is final",
			AppealDecisionRequest{}, eventHandler[AppealDecisionRequest](s, licensing.EventAppealDecide)),
		s.eventRoute("finalize", PermApplicationDecide, "finalizeDecision",
			"Record that the appeal window closed without an appeal: the pending decision stands (an approval issues the license)",
			VersionInput{}, eventHandler[VersionInput](s, licensing.EventFinalize)),
		s.eventRoute("withdraw", PermApplicationWrite, "withdrawApplication", "Withdraw the application before a decision",
			TextInput{}, eventHandler[TextInput](s, licensing.EventWithdraw)),
		{Route{Method: "GET", Pattern: "/v1/licensing/events", Permission: PermApplicationRead, OperationID: "listReviewEvents", Tag: "applications",
			Summary:  "The review's state machine: every event, who sends it, and the states it is allowed in and leads to",
			Response: []licensing.EventSpec{}}, s.handleEventSpecs},
		{Route{Method: "GET", Pattern: "/v1/licensing/agencies", Permission: PermOrgRead, OperationID: "listLicensingAgencies", Tag: "applications",
			Summary: "The organizations serving as BIS (the licensing agency), DOD, STATE and DOE", Response: map[string]string{}}, s.handleListAgencies},
		{Route{Method: "POST", Pattern: "/v1/licensing/agencies", Permission: PermOrgWrite, OperationID: "setLicensingAgency", Tag: "applications",
			Summary: "Set the agency organization serving as BIS, DOD, STATE or DOE", Request: AgencyInput{},
			Response: map[string]string{}}, s.handleSetAgency},

		// Licenses.
		{Route{Method: "GET", Pattern: "/v1/licenses", Permission: PermLicenseRead, OperationID: "listLicenses", Tag: "licenses",
			Summary:  "List licenses, oldest first, with their status, remaining quantity and value, and pending acknowledgments",
			Response: Page[licensing.LicenseView]{}, Query: page}, s.handleListLicenses},
		{Route{Method: "GET", Pattern: "/v1/licenses/{id}", Permission: PermLicenseRead, OperationID: "getLicense", Tag: "licenses",
			Summary: "Get a license by id or license number (D123456)", Response: licensing.LicenseView{}}, s.handleGetLicense},
		{Route{Method: "POST", Pattern: "/v1/licenses/{id}/acknowledgments", Permission: PermLicenseAcknowledge,
			OperationID: "acknowledgeCondition", Tag: "licenses",
			Summary: "Record a bound party's acknowledgment of a license condition (each binding once)",
			Request: licensing.AcknowledgmentInput{}, Response: licensing.LicenseView{}, Status: http.StatusCreated}, s.handleAcknowledge},
		{Route{Method: "POST", Pattern: "/v1/licenses/{id}/status", Permission: PermLicenseWrite, OperationID: "setLicenseStatus", Tag: "licenses",
			Summary: "Suspend, revoke (final) or reinstate a license, with a reason", Request: licensing.LicenseStatusInput{},
			Response: licensing.LicenseView{}}, s.handleSetLicenseStatus},

		// Engagements: which broker files an exporter's imports and which lab
		// tests its units (api/engagements.go).
		{Route{Method: "POST", Pattern: "/v1/engagements", Permission: PermEngagementWrite, OperationID: "createEngagement", Tag: "engagements",
			Summary: "Engage a broker for the caller's imports or a US lab for its tests, from a date, optionally to a date and limited to applications or lots",
			Request: EngagementInput{}, Response: tollgate.Engagement{}, Status: http.StatusCreated}, s.handleCreateEngagement},
		{Route{Method: "GET", Pattern: "/v1/engagements", Permission: PermEngagementRead, OperationID: "listEngagements", Tag: "engagements",
			Summary: "List the engagements the caller is a side of, oldest first", Response: Page[tollgate.Engagement]{},
			Query: append([]Param{paramExporter, {Name: "engaged_org_id", Type: "string", Description: "Only engagements of this broker or lab."},
				{Name: "kind", Type: "string", Description: "Only engagements of this kind: imports or tests."},
				{Name: "in_force_on", Type: "date", Description: "Only engagements in force on this date."}}, page...)}, s.handleListEngagements},
		{Route{Method: "GET", Pattern: "/v1/engagements/{id}", Permission: PermEngagementRead, OperationID: "getEngagement", Tag: "engagements",
			Summary: "Get an engagement", Response: tollgate.Engagement{}}, s.handleGetEngagement},
		{Route{Method: "POST", Pattern: "/v1/engagements/{id}/end", Permission: PermEngagementWrite, OperationID: "endEngagement", Tag: "engagements",
			Summary: "End an engagement on a date (its last day in force); writes dated after it are refused",
			Request: EngagementEndInput{}, Response: tollgate.Engagement{}}, s.handleEndEngagement},

		// Shipping: US shipments, imports and duty, lab keys and reports,
		// exports against licenses and the 50% cap, orders, reports.
		{Route{Method: "POST", Pattern: "/v1/shipments", Permission: PermShipmentWrite, OperationID: "createShipment", Tag: "shipping",
			Summary: "Record units shipped to a US customer for US end use (the 50% cap's denominator)", Request: USShipmentInput{},
			Response: tollgate.DomesticShipment{}, Status: http.StatusCreated}, s.handleCreateShipment},
		{Route{Method: "GET", Pattern: "/v1/shipments", Permission: PermShipmentRead, OperationID: "listShipments", Tag: "shipping",
			Summary: "List US shipments and reversals, oldest first", Response: Page[tollgate.DomesticShipment]{},
			Query: append([]Param{paramExporter, paramProduct}, page...)}, s.handleListShipments},
		{Route{Method: "GET", Pattern: "/v1/shipments/{id}", Permission: PermShipmentRead, OperationID: "getShipment", Tag: "shipping",
			Summary: "Get a US shipment or reversal", Response: tollgate.DomesticShipment{}}, s.handleGetShipment},
		{Route{Method: "POST", Pattern: "/v1/shipments/{id}/reverse", Permission: PermShipmentWrite, OperationID: "reverseShipment", Tag: "shipping",
			Summary: "Correct a US shipment by a reversal of some or all of its units (never an edit)", Request: ReversalInput{},
			Response: tollgate.DomesticShipment{}, Status: http.StatusCreated}, s.handleReverseShipment},
		{Route{Method: "POST", Pattern: "/v1/imports", Permission: PermImportWrite, OperationID: "createImport", Tag: "shipping",
			Summary: "Record an import entry line; tollgate computes its Section 232 duty (9903.79.01 at 25%, .02, or an exemption)",
			Request: ImportInput{}, Response: tollgate.ImportEntry{}, Status: http.StatusCreated}, s.handleCreateImport},
		{Route{Method: "GET", Pattern: "/v1/imports", Permission: PermImportRead, OperationID: "listImports", Tag: "shipping",
			Summary: "List import entries, oldest first, without their serials", Response: Page[tollgate.ImportEntry]{},
			Query: append([]Param{paramExporter, {Name: "importer_org_id", Type: "string", Description: "Only entries filed by this broker."},
				paramProduct}, page...)}, s.handleListImports},
		{Route{Method: "GET", Pattern: "/v1/imports/{id}", Permission: PermImportRead, OperationID: "getImport", Tag: "shipping",
			Summary: "Get an import entry with its serials and duty", Response: tollgate.ImportEntry{}}, s.handleGetImport},
		{Route{Method: "POST", Pattern: "/v1/imports/{id}/payment", Permission: PermImportWrite, OperationID: "payDuty", Tag: "shipping",
			Summary: "Record the payment of an entry's owed duty", Request: DutyPaymentInput{}, Response: tollgate.ImportEntry{}}, s.handlePayDuty},
		{Route{Method: "POST", Pattern: "/v1/labs/{org}/keys", Permission: PermLabReportWrite, OperationID: "registerLabKey", Tag: "shipping",
			Summary: "Register an Ed25519 public key with a lab", Request: LabKeyInput{}, Response: tollgate.LabKey{},
			Status: http.StatusCreated}, s.handleRegisterLabKey},
		{Route{Method: "GET", Pattern: "/v1/labs/{org}/keys", Permission: PermOrgRead, OperationID: "listLabKeys", Tag: "shipping",
			Summary: "List a lab's public keys, revoked ones included", Response: Page[tollgate.LabKey]{}}, s.handleListLabKeys},
		{Route{Method: "POST", Pattern: "/v1/labs/{org}/keys/{id}/revoke", Permission: PermLabReportWrite, OperationID: "revokeLabKey",
			Tag: "shipping", Summary: "Revoke a lab key: reports recorded from now on with it are refused",
			Request: LabKeyRevokeInput{}, Response: tollgate.LabKey{}}, s.handleRevokeLabKey},
		{Route{Method: "POST", Pattern: "/v1/lab-reports", Permission: PermLabReportWrite, OperationID: "createLabReport", Tag: "shipping",
			Summary: "Record a lab report signed with a registered key, on imported units (tollgate labs sign writes the body)",
			Request: tollgate.LabReport{}, Response: tollgate.LabReport{}, Status: http.StatusCreated}, s.handleCreateLabReport},
		{Route{Method: "GET", Pattern: "/v1/lab-reports", Permission: PermLabReportRead, OperationID: "listLabReports", Tag: "shipping",
			Summary: "List lab reports, oldest first, without their serials", Response: Page[tollgate.LabReport]{},
			Query: append([]Param{paramExporter, {Name: "lab_org_id", Type: "string", Description: "Only reports of this lab."},
				paramProduct}, page...)}, s.handleListLabReports},
		{Route{Method: "GET", Pattern: "/v1/lab-reports/{id}", Permission: PermLabReportRead, OperationID: "getLabReport", Tag: "shipping",
			Summary: "Get a lab report with its serials, measurements, judgment and signature", Response: tollgate.LabReport{}}, s.handleGetLabReport},
		{Route{Method: "POST", Pattern: "/v1/exports", Permission: PermExportReserve, OperationID: "reserveExport", Tag: "shipping",
			Summary: "Reserve units, license quantity and value, and cap room for an export; a refusal names the limit and by how much",
			Request: shipping.ReserveRequest{}, Response: tollgate.Export{}, Status: http.StatusCreated}, s.handleReserveExport},
		{Route{Method: "GET", Pattern: "/v1/exports", Permission: PermExportRead, OperationID: "listExports", Tag: "shipping",
			Summary: "List exports, oldest first, without their serials", Response: Page[tollgate.Export]{},
			Query: append([]Param{paramExporter, paramProduct,
				{Name: "state", Type: "string", Description: "Only exports in this state: reserved, shipped, voided, expired."},
				{Name: "license_id", Type: "string", Description: "Only exports under this license."},
				{Name: "order_id", Type: "string", Description: "Only exports for this order."}}, page...)}, s.handleListExports},
		{Route{Method: "GET", Pattern: "/v1/exports/{id}", Permission: PermExportRead, OperationID: "getExport", Tag: "shipping",
			Summary: "Get an export with its serials", Response: tollgate.Export{}}, s.handleGetExport},
		{Route{Method: "POST", Pattern: "/v1/exports/{id}/ship", Permission: PermExportShip, OperationID: "shipExport", Tag: "shipping",
			Summary: "Ship a reservation with the export filing's reference and date", Request: ShipInput{},
			Response: tollgate.Export{}}, s.handleShipExport},
		{Route{Method: "POST", Pattern: "/v1/exports/{id}/void", Permission: PermExportVoid, OperationID: "voidExport", Tag: "shipping",
			Summary: "Void a reservation, releasing what it held", Request: VoidInput{}, Response: tollgate.Export{}}, s.handleVoidExport},
		{Route{Method: "GET", Pattern: "/v1/caps/{product}", Permission: PermExportRead, OperationID: "getCapPosition", Tag: "shipping",
			Summary:  "Where an exporter's product stands against the 50% cap: US units, cap, China units held, headroom",
			Response: shipping.CapPosition{}, Query: []Param{paramExporter}}, s.handleCapPosition},
		{Route{Method: "POST", Pattern: "/v1/orders", Permission: PermOrderWrite, OperationID: "createOrder", Tag: "shipping",
			Summary: "Record a drafted order from a customer in China or Macau", Request: OrderInput{}, Response: tollgate.Order{},
			Status: http.StatusCreated}, s.handleCreateOrder},
		{Route{Method: "GET", Pattern: "/v1/orders", Permission: PermOrderRead, OperationID: "listOrders", Tag: "shipping",
			Summary: "List orders, oldest first, with their histories and PRC status", Response: Page[tollgate.Order]{},
			Query: append([]Param{paramExporter, paramProduct,
				{Name: "state", Type: "string", Description: "Only orders in this state: drafted, licensed, shipped, delivered, cancelled."}},
				page...)}, s.handleListOrders},
		{Route{Method: "GET", Pattern: "/v1/orders/{id}", Permission: PermOrderRead, OperationID: "getOrder", Tag: "shipping",
			Summary: "Get an order with its history and PRC history", Response: tollgate.Order{}}, s.handleGetOrder},
		{Route{Method: "POST", Pattern: "/v1/orders/{id}/events", Permission: PermOrderWrite, OperationID: "orderEvent", Tag: "shipping",
			Summary: "License, deliver or cancel an order (cancelling voids its open reservations)", Request: OrderEventInput{},
			Response: tollgate.Order{}}, s.handleOrderEvent},
		{Route{Method: "POST", Pattern: "/v1/orders/{id}/prc-status", Permission: PermOrderWrite, OperationID: "setPRCStatus", Tag: "shipping",
			Summary: "Record the PRC's standing on an order: approved (reference, date), restricted, blocked_at_customs, unknown",
			Request: PRCStatusInput{}, Response: tollgate.Order{}}, s.handleSetPRCStatus},
		{Route{Method: "GET", Pattern: "/v1/reports/shipping", Permission: PermReportRead, OperationID: "shippingReport", Tag: "shipping",
			Summary:  "China revenue, Section 232 duty and its ratio, US and China units, cap headroom, revenue lost by reason, per period",
			Response: ShippingReport{}, Query: shippingReportParams}, s.handleShippingReport},

		// Classification.
		{Route{Method: "GET", Pattern: "/v1/classify", Permission: PermClassifyRead, OperationID: "classifyChip", Tag: "classification",
			Summary: "Classify a catalog chip (ECCN, review policy for a destination, Section 232 band)", Response: tollgate.Classification{},
			Query: classifyParams}, s.handleClassify},
		{Route{Method: "GET", Pattern: "/v1/chips", Permission: PermClassifyRead, OperationID: "listChips", Tag: "classification",
			Summary: "List the chip catalog", Response: Page[tollgate.Chip]{}}, s.handleListChips},
	}
}
