package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
)

// Code says what kind of error an Error is. The first four are the rules' own
// (governance.Code); the rest belong to the API.
type Code string

const (
	CodeInvalid     Code = "invalid"     // malformed, or breaks the terms
	CodeNotFound    Code = "not_found"   // names something that does not exist
	CodeConflict    Code = "conflict"    // clashes with what already happened
	CodeForbidden   Code = "forbidden"   // not allowed, or the consortium is sealed
	CodeTooLarge    Code = "too_large"   // a request body over the limit
	CodeNotAllowed  Code = "not_allowed" // a route asked for with a method it does not take
	CodeFault       Code = "fault"       // the record does not verify
	CodeUnavailable Code = "unavailable" // the ledger cannot answer now; try again
	CodeInternal    Code = "internal"    // a failure of govledger itself
)

// Status is how a code is reported: over HTTP, and as the command line's exit status.
type Status struct {
	HTTP int
	Exit int
}

// Codes is the one table from codes to statuses.
var Codes = map[Code]Status{
	CodeInvalid:     {http.StatusBadRequest, 3},
	CodeNotFound:    {http.StatusNotFound, 4},
	CodeConflict:    {http.StatusConflict, 5},
	CodeForbidden:   {http.StatusForbidden, 6},
	CodeTooLarge:    {http.StatusRequestEntityTooLarge, 3},
	CodeNotAllowed:  {http.StatusMethodNotAllowed, 2},
	CodeFault:       {http.StatusUnprocessableEntity, 8},
	CodeUnavailable: {http.StatusServiceUnavailable, 7},
	CodeInternal:    {http.StatusInternalServerError, 1},
}

// Error is every refusal the API gives, and what the Client returns for one.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Status is how e is reported.
func (e *Error) Status() Status {
	if s, ok := Codes[e.Code]; ok {
		return s
	}
	return Codes[CodeInternal]
}

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorOf classifies any error from the ledger, the read models or the log.
func ErrorOf(err error) *Error {
	var (
		ae *Error
		ge *governance.Error
		mb *http.MaxBytesError
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, audit.ErrFault): // before what a fault may wrap: a rule broken, an event unreadable
		return &Error{Code: CodeFault, Message: err.Error()}
	case errors.As(err, &ge):
		return &Error{Code: Code(ge.Code), Message: ge.Message}
	case errors.As(err, &mb):
		return errorf(CodeTooLarge, "the request body is larger than %d bytes", mb.Limit)
	case errors.Is(err, events.ErrTooLarge):
		return &Error{Code: CodeTooLarge, Message: err.Error()}
	case errors.Is(err, events.ErrInvalid):
		return &Error{Code: CodeInvalid, Message: err.Error()}
	case errors.Is(err, events.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: err.Error()}
	case errors.Is(err, events.ErrConflict):
		return &Error{Code: CodeConflict, Message: err.Error() + "; try again"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeUnavailable, Message: err.Error()}
	}
	return &Error{Code: CodeInternal, Message: err.Error()}
}
