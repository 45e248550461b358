package mentor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

const genericMessage = "Something went wrong on our side. Please try again; if it keeps happening, tell the mentorship committee."

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantMsg  string
	}{
		{"nil", nil, "", genericMessage},
		{"plain error", errors.New("boom"), mentor.EINTERNAL, genericMessage},
		{"context error", context.DeadlineExceeded, mentor.EINTERNAL, genericMessage},
		{"invalid", mentor.Errorf(mentor.EINVALID, "The %s cycle has ended.", "2026–2027"), mentor.EINVALID, "The 2026–2027 cycle has ended."},
		{"not found", mentor.Errorf(mentor.ENOTFOUND, "No such duo."), mentor.ENOTFOUND, "No such duo."},
		{"conflict wrapped twice", fmt.Errorf("approve: %w", fmt.Errorf("create duo: %w", mentor.Errorf(mentor.ECONFLICT, "Taken."))), mentor.ECONFLICT, "Taken."},
		{"unavailable with a cause", &mentor.Error{Code: mentor.EUNAVAILABLE, Message: "Try again in a minute.", Err: cause}, mentor.EUNAVAILABLE, "Try again in a minute."},
		{"internal keeps its message private", mentor.Errorf(mentor.EINTERNAL, "stack trace here"), mentor.EINTERNAL, genericMessage},
		{"joined errors: the first *Error", errors.Join(errors.New("x"), mentor.Errorf(mentor.EFORBIDDEN, "Committee only.")), mentor.EFORBIDDEN, "Committee only."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mentor.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
			if got := mentor.ErrorMessage(tt.err); got != tt.wantMsg {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestErrorStringAndUnwrap(t *testing.T) {
	cause := errors.New("connection refused")
	e := &mentor.Error{Code: mentor.EUNAVAILABLE, Message: "Try later.", Err: cause}
	if !errors.Is(e, cause) {
		t.Error("the cause is not reachable with errors.Is")
	}
	if got := e.Error(); got != "unavailable: Try later.: connection refused" {
		t.Errorf("Error() = %q", got)
	}
	if got := mentor.Errorf(mentor.EINVALID, "Bad %d.", 3).Error(); got != "invalid: Bad 3." {
		t.Errorf("Error() = %q", got)
	}
}

func TestFieldErrors(t *testing.T) {
	fe := mentor.FieldErrors{}
	if fe.Err() != nil {
		t.Fatal("empty FieldErrors is an error")
	}
	fe.Add("hours", "Give a whole number of hours.")
	fe.Add("hours", "A later, less basic problem.")
	fe.Add("methods", "Choose at least one way to communicate.")
	if fe["hours"] != "Give a whole number of hours." {
		t.Errorf("hours = %q, want the first message", fe["hours"])
	}
	err := fe.Err()
	if err == nil || !strings.Contains(err.Error(), "2 invalid field") {
		t.Fatalf("Err() = %v, want an error naming 2 fields", err)
	}
	// Field errors travel through wrapping to the one place that shows them.
	var got mentor.FieldErrors
	if !errors.As(fmt.Errorf("save sign-up: %w", err), &got) || len(got) != 2 || got["methods"] == "" {
		t.Fatalf("errors.As through a wrap = %v", got)
	}
}
