package governance

import "fmt"

// Code says what kind of refusal an Error is.
type Code string

const (
	CodeInvalid   Code = "invalid"   // the command is malformed or breaks the terms
	CodeConflict  Code = "conflict"  // the command clashes with what already happened
	CodeNotFound  Code = "not_found" // it names something that does not exist
	CodeForbidden Code = "forbidden" // the actor may not do this, or the consortium is sealed
)

// Error is a refusal, in the partnership's words.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error   { return errorf(CodeInvalid, format, args...) }
func conflictf(format string, args ...any) error  { return errorf(CodeConflict, format, args...) }
func notFoundf(format string, args ...any) error  { return errorf(CodeNotFound, format, args...) }
func forbiddenf(format string, args ...any) error { return errorf(CodeForbidden, format, args...) }
