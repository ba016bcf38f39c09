package events

import "unicode"

const (
	// MaxPayloadBytes bounds one event's JSON payload. The largest real payload, a full
	// set of terms with its partners, is a few kilobytes.
	MaxPayloadBytes = 64 << 10
	// MaxBatchEvents bounds the events of one Append, well inside JetStream's atomic
	// batch limit: a meeting decision with every vote minuted is the largest command.
	MaxBatchEvents = 500
	// maxTextBytes bounds ids and names in the envelope.
	maxTextBytes = 200
	// SchemaVersion is the envelope version written by this package.
	SchemaVersion = 1
)

// Types are the event types the log accepts, each <noun>.<verb>.
var Types = []string{
	"consortium.formed", "consortium.terms-amended", "consortium.dissolved",
	"partner.applied", "partner.admitted", "partner.declined", "partner.role-assigned",
	"partner.notice-served", "partner.expelled",
	"decision.proposed", "decision.interest-declared", "decision.vote-cast",
	"decision.carried", "decision.rejected", "decision.lapsed", "decision.withdrawn",
	"dispute.raised", "dispute.escalated", "dispute.resolved", "dispute.withdrawn",
}

// knownTypes is Types as a set.
var knownTypes = func() map[string]string {
	m := make(map[string]string, len(Types))
	for _, t := range Types {
		m[t] = t
	}
	return m
}()

// KnownType reports whether t is one of Types.
func KnownType(t string) bool {
	_, ok := knownTypes[t]
	return ok
}

// ValidSlug checks an id that becomes one NATS subject token: [a-z0-9][a-z0-9-]{0,62}.
// Dots, wildcards, spaces and capitals would change which subjects it matches.
func ValidSlug(field, s string) error {
	if s == "" {
		return invalid(field, "it is empty; use lower-case letters, digits and hyphens")
	}
	if len(s) > 63 {
		return invalid(field, "%q is %d characters long; at most 63 are allowed", s, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0:
		default:
			return invalid(field, "%q is not a slug: use lower-case letters, digits and hyphens, starting with a letter or digit (found %q)", s, string(rune(c)))
		}
	}
	return nil
}

// validText checks a free-text envelope field (command id, actor): bounded, printable, no spaces.
func validText(field, s string) error {
	if len(s) > maxTextBytes {
		return invalid(field, "it is %d bytes long; at most %d are allowed", len(s), maxTextBytes)
	}
	for _, r := range s {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return invalid(field, "%q contains a space or an unprintable character", s)
		}
	}
	return nil
}
