package api

import (
	"net/http"

	"tollgate"
	"tollgate/screening"
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
}

// mutating reports whether the route changes state and so runs under the
// Idempotency-Key protocol.
func (rt *Route) mutating() bool {
	switch rt.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return !rt.Safe
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
		{Route{Method: "GET", Pattern: "/metrics", Permission: PermPublic, OperationID: "metrics", Tag: "operations",
			Summary: "Prometheus metrics (text exposition format)"}, s.handleMetrics},
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
			Summary: "Import a list file sent inline; the same bytes again are a no-op", Request: ListImportInput{},
			Response: ListImportResult{}, Status: http.StatusCreated, MaxBodyBytes: maxListImportBytes}, s.handleImportList},

		// Classification.
		{Route{Method: "GET", Pattern: "/v1/classify", Permission: PermClassifyRead, OperationID: "classifyChip", Tag: "classification",
			Summary: "Classify a catalog chip (ECCN, review policy for a destination, Section 232 band)", Response: tollgate.Classification{},
			Query: classifyParams}, s.handleClassify},
		{Route{Method: "GET", Pattern: "/v1/chips", Permission: PermClassifyRead, OperationID: "listChips", Tag: "classification",
			Summary: "List the chip catalog", Response: Page[tollgate.Chip]{}}, s.handleListChips},
	}
}
