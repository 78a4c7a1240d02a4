// Package tollgate holds the domain of the advanced-AI-chip export regime:
// the types every other package speaks (chips, classifications, listed
// entities, parties, applications, shipments) and the Error type with its
// small closed set of codes. It imports only the standard library.
package tollgate

import (
	"errors"
	"fmt"
)

// Error codes. The set is closed: every failure a user can see is one of
// these, and the API maps each to exactly one HTTP status.
const (
	EINVALID            = "invalid"             // the input is malformed or out of range
	ENOTFOUND           = "not_found"           // the object does not exist (or is not visible to the caller)
	ECONFLICT           = "conflict"            // the object's state does not allow the change
	EUNAUTHORIZED       = "unauthorized"        // no valid credentials
	EFORBIDDEN          = "forbidden"           // valid credentials, action not permitted
	ELIMIT              = "limit_exceeded"      // a quantity, value or cap would be exceeded
	EPRECONDITION       = "precondition_failed" // a required earlier step is missing
	EUNAVAILABLE        = "unavailable"         // a dependency (network, database) cannot be reached
	EINTERNAL           = "internal"            // a bug or an unexpected failure; never shown in detail
	internalUserMessage = "internal error"
)

// Error is the error type every package returns for failures a user should
// understand. Message is safe to show; Field names the offending input when
// there is one; Details carries structured context (for example the failing
// prechecks of an application).
type Error struct {
	Code    string
	Message string
	Field   string
	Details any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error naming the offending field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic text for anything else so that
// internal details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Error()
	}
	return internalUserMessage
}
