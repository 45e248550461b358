package mentor

import (
	"errors"
	"fmt"
)

// Error codes: the few kinds of outcome a person can act on. Everything that is not a
// *Error is an internal failure and is shown as "something went wrong".
const (
	EINVALID     = "invalid"     // the input breaks a rule; Message says which
	ENOTFOUND    = "not_found"   // the thing asked for does not exist
	ECONFLICT    = "conflict"    // someone else changed it first, or it is in the wrong state
	EFORBIDDEN   = "forbidden"   // this person may not do this
	EUNAVAILABLE = "unavailable" // a dependency (Redis, Slack) is unreachable; try again later
	EINTERNAL    = "internal"    // a bug or an unexpected failure
)

// Error is an outcome meant for a person: Code says what kind, Message says what to do,
// in words a participant or a committee member understands. (Problems with form
// fields are FieldErrors instead.)
type Error struct {
	Code    string
	Message string
	Err     error  // the underlying cause, for logs only
	Ref     string // a reference to the log line with the detail, shown to the person; "" for none
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other error and "" for nil.
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

// ErrorMessage returns the person-facing message of err's first *Error, or a generic
// one for internal errors, followed by the error's reference when it has one.
func ErrorMessage(err error) string {
	const generic = "Something went wrong on our side. Please try again; if it keeps happening, tell the mentorship committee."
	var e *Error
	if !errors.As(err, &e) {
		return generic
	}
	msg := e.Message
	if e.Code == EINTERNAL || msg == "" {
		msg = generic
	}
	if e.Ref != "" {
		msg += " (Reference " + e.Ref + ")"
	}
	return msg
}

// FieldErrors collects validation problems keyed by field name. It is an error when
// non-empty, so validation code can return it directly.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	return fmt.Sprintf("%d invalid field(s)", len(fe))
}

// Add records msg for field unless the field already has a message (first one wins:
// it is usually the most basic problem).
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}
