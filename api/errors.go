package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"tollgate"
)

// codeStatus is the one table that turns an error code into an HTTP status.
// precondition_failed maps to 422 rather than 412: in tollgate it means a
// required business step is missing (no lab report, an unscreened party),
// not that an HTTP conditional header (If-Match) failed, which is what 412
// promises to clients and caches.
var codeStatus = map[string]int{
	tollgate.EINVALID:      http.StatusBadRequest,
	tollgate.ENOTFOUND:     http.StatusNotFound,
	tollgate.ECONFLICT:     http.StatusConflict,
	tollgate.EUNAUTHORIZED: http.StatusUnauthorized,
	tollgate.EFORBIDDEN:    http.StatusForbidden,
	tollgate.ELIMIT:        http.StatusUnprocessableEntity,
	tollgate.EPRECONDITION: http.StatusUnprocessableEntity,
	tollgate.EUNAVAILABLE:  http.StatusServiceUnavailable,
	tollgate.EINTERNAL:     http.StatusInternalServerError,
}

// StatusForCode returns the HTTP status the API answers for a tollgate error
// code; unknown codes are treated as internal errors.
func StatusForCode(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// problemTypePrefix starts the "type" URI of every problem document; the
// code completes it, so clients can switch on either.
const problemTypePrefix = "urn:tollgate:problem:"

// Problem is an RFC 9457 problem details document, the body of every error
// response (media type application/problem+json). Code is the tollgate error
// code; Field names the offending input when there is one.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Details   any    `json:"details,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// transportError is a failure of the HTTP exchange itself rather than of the
// domain (an oversized body, an unsupported media type, an unknown route):
// it carries its own status, outside the code table.
type transportError struct {
	status int
	code   string
	field  string
	msg    string
}

func (e *transportError) Error() string { return e.msg }

// problemFor builds the problem document for err. Internal errors get a
// generic detail: their text may hold SQL, paths or other internals.
func problemFor(err error) Problem {
	var te *transportError
	if errors.As(err, &te) {
		return Problem{Status: te.status, Code: te.code, Field: te.field, Detail: te.msg}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return Problem{
			Status: http.StatusRequestEntityTooLarge,
			Code:   tollgate.EINVALID,
			Detail: "request body larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes",
		}
	}
	code := tollgate.ErrorCode(err)
	p := Problem{Status: StatusForCode(code), Code: code, Detail: tollgate.ErrorMessage(err)}
	var e *tollgate.Error
	if errors.As(err, &e) && code != tollgate.EINTERNAL {
		p.Detail = e.Message
		p.Field = e.Field
		p.Details = e.Details
	}
	return p
}

// writeError answers a request with the problem document for err, logging
// server-side failures (status ≥ 500) with the request id so that an
// operator can find what a user saw as a bare "internal error".
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = s.contextError(w, r, err)
	p := problemFor(err)
	p.Type = problemTypePrefix + p.Code
	p.Title = http.StatusText(p.Status)
	p.Instance = r.URL.Path
	info := requestInfoFrom(r.Context())
	p.RequestID = info.id
	info.errCode = p.Code
	if p.Status >= http.StatusInternalServerError {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("request_id", info.id),
			slog.String("route", info.route),
			slog.String("code", p.Code),
			slog.String("error", err.Error()))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tollgate"`)
	}
	writeBody(w, p.Status, "application/problem+json", p)
}
