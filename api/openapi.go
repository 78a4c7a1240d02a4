package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// pathParamPattern finds the {name} wildcards of a route pattern.
var pathParamPattern = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)(\.\.\.)?\}`)

// OpenAPI builds the OpenAPI 3.1 document of the given routes: one
// operation per route with its operationId, summary, permission
// (x-permission), path, query and Idempotency-Key parameters, request and
// response schemas, and the problem document for every error.
func OpenAPI(routes []Route) map[string]any {
	sg := newSchemaGen()
	problem := sg.schema(Problem{})
	paths := map[string]any{}
	for _, rt := range routes {
		item, _ := paths[rt.Pattern].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Pattern] = item
		}
		item[strings.ToLower(rt.Method)] = operation(sg, rt, problem)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "tollgate API",
			"version": "1",
			"description": "The export regime for advanced AI chips: organizations, parties, restricted-party " +
				"screening, list versions and chip classification. Errors are RFC 9457 problem details; " +
				"mutating calls require an Idempotency-Key header. Every operation but the public ones needs an API " +
				"token (Authorization: Bearer) or a session cookie, and may do what the caller's roles allow (x-permission).",
		},
		"paths":      paths,
		"components": map[string]any{"schemas": sg.schemas, "securitySchemes": securitySchemes},
	}
}

// operation describes one route.
func operation(sg *schemaGen, rt Route, problem map[string]any) map[string]any {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	op := map[string]any{
		"operationId":  rt.OperationID,
		"summary":      rt.Summary,
		"tags":         []string{rt.Tag},
		"x-permission": rt.Permission,
	}
	if rt.Permission == PermPublic {
		op["security"] = []any{} // anyone, signed in or not
	} else {
		op["security"] = []any{map[string]any{"bearerToken": []any{}}, map[string]any{"sessionCookie": []any{}}}
	}
	var params []any
	for _, m := range pathParamPattern.FindAllStringSubmatch(rt.Pattern, -1) {
		params = append(params, map[string]any{
			"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"},
		})
	}
	for _, q := range rt.Query {
		params = append(params, map[string]any{
			"name": q.Name, "in": "query", "required": q.Required, "description": q.Description,
			"schema": paramSchema(q.Type),
		})
	}
	if rt.mutating() {
		params = append(params, map[string]any{
			"name": IdempotencyKeyHeader, "in": "header", "required": true,
			"description": "Client-chosen key (1-255 printable ASCII characters). A retry with the same key and body " +
				"replays the first response; the same key with a different body is a 409.",
			"schema": map[string]any{"type": "string", "maxLength": 255},
		})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.Request != nil {
		op["requestBody"] = map[string]any{
			"required": true,
			"content":  map[string]any{"application/json": map[string]any{"schema": sg.schema(rt.Request)}},
		}
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case rt.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": sg.schema(rt.Response)}}
	}
	op["responses"] = map[string]any{
		strconv.Itoa(status): ok,
		"default": map[string]any{
			"description": "An error, as RFC 9457 problem details",
			"content":     map[string]any{"application/problem+json": map[string]any{"schema": problem}},
		},
	}
	return op
}

// securitySchemes are the two ways to authenticate: an API token, or the
// dashboard's session cookie (named "__Host-tollgate_session" over TLS).
var securitySchemes = map[string]any{
	"bearerToken": map[string]any{"type": "http", "scheme": "bearer",
		"description": "An API token (tg_…) from POST /v1/tokens or `tollgate tokens create`."},
	"sessionCookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "tollgate_session",
		"description": "The session cookie POST /v1/login sets. State-changing requests with it must come from the API's own origin."},
}

// paramSchema is the schema of a query parameter of the given Param.Type.
func paramSchema(typ string) map[string]any {
	switch typ {
	case "date":
		return map[string]any{"type": "string", "format": "date"}
	case "integer", "number", "boolean":
		return map[string]any{"type": typ}
	}
	return map[string]any{"type": "string"}
}

// mustOpenAPI renders the document once at startup; routes are static, so
// a failure is a bug in the table.
func mustOpenAPI(routes []route) []byte {
	rs := make([]Route, len(routes))
	for i, r := range routes {
		rs[i] = r.Route
	}
	b, err := json.MarshalIndent(OpenAPI(rs), "", "  ")
	if err != nil {
		panic("api: render OpenAPI document: " + err.Error())
	}
	return append(b, '\n')
}
