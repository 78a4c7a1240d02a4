package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tollgate"
)

// Param declares one query parameter a route accepts; the OpenAPI document
// lists it, and requests carrying any other parameter are rejected.
type Param struct {
	Name        string
	Type        string // "string", "integer", "number", "boolean" or "date"
	Required    bool
	Description string
}

// Cursor pagination parameters shared by every list route.
var (
	paramCursor = Param{Name: "cursor", Type: "string", Description: "Opaque cursor from the next_cursor of the previous page; empty for the first page."}
	paramLimit  = Param{Name: "limit", Type: "integer", Description: "Items per page (default 100, at most 1000)."}
)

// Page is one page of a list response: items in the route's order, and
// the cursor for the next page, absent on the last one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// urlQuery parses the raw query strictly: a malformed pair is an error
// rather than silently dropped, as url.URL.Query would.
func urlQuery(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, tollgate.Errorf(tollgate.EINVALID, "malformed query string: %v", err)
	}
	return q, nil
}

// pageParams returns the validated ?cursor= and ?limit= of a list request.
func (s *server) pageParams(r *http.Request) (cursor string, limit int, err error) {
	q, err := urlQuery(r)
	if err != nil {
		return "", 0, err
	}
	limit = s.limits.DefaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.limits.MaxPageSize {
			return "", 0, tollgate.FieldErrorf("limit", "must be an integer from 1 to %d", s.limits.MaxPageSize)
		}
		limit = n
	}
	return q.Get("cursor"), limit, nil
}

// queryString returns the trimmed value of a query parameter.
func queryString(r *http.Request, name string) string {
	return strings.TrimSpace(r.URL.Query().Get(name))
}

// queryBool parses a boolean query parameter; absent means false.
func queryBool(r *http.Request, name string) (bool, error) {
	v := queryString(r, name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, tollgate.FieldErrorf(name, "must be true or false, not %q", v)
	}
	return b, nil
}

// queryDate parses a YYYY-MM-DD query parameter within the plausible
// dates (tollgate.CheckDate); absent gives the zero time.
func queryDate(r *http.Request, name string) (time.Time, error) {
	v := queryString(r, name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, tollgate.FieldErrorf(name, "must be a date YYYY-MM-DD, not %q", v)
	}
	if err := tollgate.CheckDate(name, t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}
