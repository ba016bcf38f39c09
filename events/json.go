package events

// Every append compacts its payloads and every event read checks that its payload is
// JSON, and encoding/json's general scanner, which takes a function call per byte, was
// a large part of both. So the JSON grammar is written out here once. It accepts and
// writes exactly what encoding/json does (json.Valid, json.Compact): FuzzJSON holds it
// to that, down to the limit on nesting.

// maxJSONDepth is encoding/json's limit on nested objects and arrays.
const maxJSONDepth = 10000

// validJSON reports whether src is one well-formed JSON value, as json.Valid does.
func validJSON(src []byte) bool {
	s := jsonScan{src: src}
	return s.all()
}

// compactJSON appends src to dst without the white space between its tokens, as
// json.Compact does, if src is one well-formed JSON value; ok is false otherwise.
func compactJSON(dst, src []byte) (out []byte, ok bool) {
	s := jsonScan{src: src, dst: dst, write: true}
	if !s.all() {
		return dst, false
	}
	return append(s.dst, src[s.kept:]...), true
}

// jsonScan reads one JSON value front to back. When write is set, it copies what it
// has read to dst, leaving out white space: src[kept:i] is read but not yet copied.
type jsonScan struct {
	src   []byte
	i     int
	depth int
	dst   []byte
	write bool
	kept  int
}

// all reads src as one value, with nothing but white space around it.
func (s *jsonScan) all() bool {
	if !s.value() {
		return false
	}
	s.space()
	return s.i == len(s.src)
}

// space passes over white space.
func (s *jsonScan) space() {
	start := s.i
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
			continue
		}
		break
	}
	if s.write && s.i > start {
		s.dst = append(s.dst, s.src[s.kept:start]...)
		s.kept = s.i
	}
}

// next passes over white space and reports the next byte (0 at the end).
func (s *jsonScan) next() byte {
	s.space()
	if s.i < len(s.src) {
		return s.src[s.i]
	}
	return 0
}

func (s *jsonScan) value() bool {
	switch c := s.next(); {
	case c == '{':
		return s.container('}', true)
	case c == '[':
		return s.container(']', false)
	case c == '"':
		return s.string()
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

// container reads an object (members true) or an array, from its opening bracket.
func (s *jsonScan) container(closing byte, members bool) bool {
	if s.depth++; s.depth > maxJSONDepth {
		return false
	}
	s.i++
	if s.next() == closing {
		s.i++
		s.depth--
		return true
	}
	for {
		if members {
			if s.next() != '"' || !s.string() || s.next() != ':' {
				return false
			}
			s.i++
		}
		if !s.value() {
			return false
		}
		switch s.next() {
		case ',':
			s.i++
		case closing:
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// string reads a string, from its opening quote.
func (s *jsonScan) string() bool {
	s.i++
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			s.i++
			if s.i >= len(s.src) {
				return false
			}
			switch s.src[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 >= len(s.src) {
					return false
				}
				for _, h := range s.src[s.i+1 : s.i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false
					}
				}
				s.i += 4
			default:
				return false
			}
		}
		s.i++
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScan) number() bool {
	if s.src[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.src) && s.src[s.i] == '0':
		s.i++
	case !s.digits():
		return false
	}
	if s.i < len(s.src) && s.src[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.src) && (s.src[s.i] == 'e' || s.src[s.i] == 'E') {
		s.i++
		if s.i < len(s.src) && (s.src[s.i] == '+' || s.src[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (s *jsonScan) digits() bool {
	start := s.i
	for s.i < len(s.src) && s.src[s.i] >= '0' && s.src[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *jsonScan) literal(word string) bool {
	if len(s.src)-s.i < len(word) || string(s.src[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}
