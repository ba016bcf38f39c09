package events

import (
	"errors"
	"fmt"
)

var (
	// ErrConflict means the consortium's last event is not the one the caller expected:
	// someone appended in between. Re-read the state and decide again.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input was refused before anything was published.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound means no such event or consortium is in the log.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge means an input was refused for its size: it is an ErrInvalid too.
	ErrTooLarge = errors.New("too large")
)

// ConflictError is the ErrConflict of one append, with the sequences involved.
type ConflictError struct {
	Consortium string
	Expected   uint64 // what the caller expected
	Actual     uint64 // the sequence of the consortium's last event when the append was refused
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict: consortium %s has moved on: expected its last event at sequence %d, it is at %d",
		e.Consortium, e.Expected, e.Actual)
}

func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// InvalidError names what is wrong with an input that was refused.
type InvalidError struct {
	Field  string
	Reason string
	Large  bool // refused for its size (ErrTooLarge)
}

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return "invalid: " + e.Reason
	}
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason)
}

func (e *InvalidError) Is(target error) bool {
	return target == ErrInvalid || target == ErrTooLarge && e.Large
}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// MissingError is a read that found events missing: the stream counts the messages from
// sequence From to To among its own, but holds none of them on the subjects read (the
// server drops a message whose stored bytes no longer match their checksum). It is an
// ErrNotFound.
type MissingError struct {
	Subjects string // the subjects read, such as gov.> or gov.synergy.>
	From, To uint64
}

func (e *MissingError) Error() string {
	if e.From == e.To {
		return fmt.Sprintf("the event at sequence %d is missing from the log, which counts it", e.From)
	}
	return fmt.Sprintf("the log counts events on %s up to sequence %d, but holds none from sequence %d", e.Subjects, e.To, e.From)
}

func (e *MissingError) Is(target error) bool { return target == ErrNotFound }
