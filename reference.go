package tollgate

import "fmt"

// NotFound returns the error of an object of kind with id that the caller
// cannot have: it does not exist, or it belongs to someone the caller may
// not see. Every not-found answer is worded this way ("party \"…\" not
// found"), so that the two cases cannot be told apart.
func NotFound(kind, id string) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("%s %q not found", kind, id)}
}

// Ref is a reference a request makes, in one of its fields, to an object by
// id: the license an export is reserved on, the parties an application
// names. It is the one rule for following such a reference: an object that
// does not exist and an object the caller may not see (another tenant's)
// get the same error, with the same status and words, and nothing else
// about the object (its holder, its number, its state) is said before the
// caller is known to see it.
type Ref struct {
	Field string // the request's field, such as "license_id" or "parties.purchaser"
	Kind  string // the object's kind, such as "license"
	ID    string // the id the request gave
}

// Unresolved returns the error for r when the object cannot be followed:
// EINVALID naming r's field (the request, not its target, is at fault: the
// route itself exists), worded as NotFound words it.
func (r Ref) Unresolved() *Error {
	return &Error{Code: EINVALID, Field: r.Field, Message: NotFound(r.Kind, r.ID).Message}
}

// Resolve judges a lookup of r's object: nil when it found the object
// (lookupErr is nil) and the caller may see it (visible); r.Unresolved()
// when it found nothing (an ENOTFOUND error) or the object is not the
// caller's to see; any other lookup error (a store failure) unchanged.
func (r Ref) Resolve(lookupErr error, visible bool) error {
	switch {
	case lookupErr == nil && visible:
		return nil
	case lookupErr == nil || ErrorCode(lookupErr) == ENOTFOUND:
		return r.Unresolved()
	}
	return lookupErr
}
