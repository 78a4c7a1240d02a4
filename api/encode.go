package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"tollgate"
)

// validator is implemented by request bodies that check themselves after
// decoding; decode calls Validate so that handlers only see valid input.
type validator interface {
	Validate() error
}

// decode reads the request body as exactly one JSON value of type T:
// unknown fields and trailing data are rejected, and so is what
// checkStrictJSON refuses (duplicate keys, field names in another case,
// strings that are not text); the body's size has already been limited by
// the route's middleware. Errors are tollgate
// EINVALID errors naming the offending field where JSON says which.
func decode[T any](r *http.Request) (T, error) {
	var v T
	if err := checkJSONContentType(r); err != nil {
		return v, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return v, err
		}
		return v, tollgate.Errorf(tollgate.EINVALID, "request body could not be read: %v", err)
	}
	if err := checkStrictJSON(body, reflect.TypeFor[T]()); err != nil {
		return v, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return v, tollgate.Errorf(tollgate.EINVALID, "request body has data after the JSON value")
	}
	if val, ok := any(&v).(validator); ok {
		if err := val.Validate(); err != nil {
			return v, err
		}
	}
	return v, nil
}

// checkJSONContentType accepts a JSON media type or none at all (a client
// that sends a body without saying what it is gets it parsed as JSON).
func checkJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &transportError{
		status: http.StatusUnsupportedMediaType,
		code:   tollgate.EINVALID,
		field:  "Content-Type",
		msg:    fmt.Sprintf("content type %q is not JSON; send application/json", ct),
	}
}

// jsonError turns an encoding/json failure into a user-facing EINVALID
// error, keeping oversized bodies as they are (they answer 413).
func jsonError(err error) error {
	var (
		mbe  *http.MaxBytesError
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
		msg  = err.Error()
		name string
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return tollgate.Errorf(tollgate.EINVALID, "request body is empty; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tollgate.Errorf(tollgate.EINVALID, "request body is truncated JSON")
	case errors.As(err, &syn):
		return tollgate.Errorf(tollgate.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return tollgate.FieldErrorf(field, "must be %s, not %s", jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(msg, "json: unknown field "):
		name, _ = strconv.Unquote(strings.TrimPrefix(msg, "json: unknown field "))
		return tollgate.FieldErrorf(name, "unknown field")
	}
	return tollgate.Errorf(tollgate.EINVALID, "malformed JSON: %s", strings.TrimPrefix(msg, "json: "))
}

// jsonTypeName names a Go kind the way a JSON client thinks of it.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "float32", "float64":
		return "a number"
	}
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") {
		return "an integer"
	}
	return "a " + kind
}

// encode answers with v as JSON and the given status.
func encode(w http.ResponseWriter, status int, v any) error {
	writeBody(w, status, "application/json", v)
	return nil
}

// writeBody marshals v before touching the response, so a value that cannot
// be encoded still yields a clean 500 instead of half a body.
func writeBody(w http.ResponseWriter, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status, contentType = http.StatusInternalServerError, "application/problem+json"
		buf.Reset()
		buf.WriteString(`{"type":"` + problemTypePrefix + `internal","title":"Internal Server Error","status":500,"code":"internal","detail":"internal error"}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store") // answers hold tenant data
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
