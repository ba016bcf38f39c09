package governance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// decodeCommand reads a command strictly. encoding/json alone takes a key in any case
// ("Vote" for "vote"), the last of two alike, and says what went wrong in Go's words;
// a command is what the steering group decided, so a key must be written as the
// command names it, once, and an error says which field holds what.
func decodeCommand[C Command](data []byte) (Command, error) {
	return decodeStrict[C](data)
}

// decodeStrict reads a T from JSON as decodeCommand reads a command.
func decodeStrict[T any](data []byte) (T, error) {
	var v T
	if !json.Valid(data) {
		var value any
		return v, jsonError(json.Unmarshal(data, &value))
	}
	if err := exactKeys(json.NewDecoder(bytes.NewReader(data)), reflect.TypeFor[T](), ""); err != nil {
		return v, err
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, jsonError(err)
	}
	return v, nil
}

// exactKeys reads the next value from dec, which must be valid JSON, and checks that
// every object in it that decodes into a struct names only that struct's fields, each
// once and exactly as spelt, and that no object names a key twice. Values that decode
// themselves (a time, a date, a share) are passed over.
func exactKeys(dec *json.Decoder, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) { // a time.Time too
		var skip json.RawMessage
		return dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		if t.Kind() == reflect.Struct {
			fields = jsonFields(t, map[string]reflect.Type{})
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key := tok.(string)
			at := key
			if path != "" {
				at = path + "." + key
			}
			if seen[key] {
				return fmt.Errorf("%q is given twice", at)
			}
			seen[key] = true
			next := reflect.TypeFor[any]()
			switch t.Kind() {
			case reflect.Struct:
				ft, ok := fields[key]
				if !ok {
					return unknownField(at, key, fields)
				}
				next = ft
			case reflect.Map:
				next = t.Elem()
			}
			if err := exactKeys(dec, next, at); err != nil {
				return err
			}
		}
		_, err = dec.Token() // }
		return err
	case json.Delim('['):
		elem := reflect.TypeFor[any]()
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := exactKeys(dec, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ]
		return err
	}
	return nil
}

// jsonFields adds the fields of struct t, by their JSON names, to fields, with those of
// embedded structs promoted as encoding/json promotes them.
func jsonFields(t reflect.Type, fields map[string]reflect.Type) map[string]reflect.Type {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			jsonFields(f.Type, fields)
		case name == "":
			fields[f.Name] = f.Type
		default:
			fields[name] = f.Type
		}
	}
	return fields
}

// unknownField says that key is not a field, and which it might be: one in another
// case, or a letter or two away.
func unknownField(at, key string, fields map[string]reflect.Type) error {
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if strings.EqualFold(name, key) {
			return fmt.Errorf("%q is not a field: write it %q", at, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if edits(name, key) <= 2 {
			return fmt.Errorf("%q is not a field: did you mean %q?", at, name)
		}
	}
	return fmt.Errorf("%q is not a field here", at)
}

// edits is the Levenshtein distance between a and b.
func edits(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// jsonError says what encoding/json found wrong in the partnership's words rather than
// Go's.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		parse  *time.ParseError
	)
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("it is not well-formed JSON (at byte %d: %s)", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("%s must be %s, not %s", typ.Field, kindWords(typ.Type), jsonWords(typ.Value))
	case errors.As(err, &typ):
		return fmt.Errorf("it must be %s, not %s", kindWords(typ.Type), jsonWords(typ.Value))
	case errors.As(err, &parse):
		return fmt.Errorf("%q is not a time: write it as 2026-04-01T10:00:00Z (RFC 3339, with its time zone)", parse.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// kindWords names what a Go type is written as in JSON.
func kindWords(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Time]():
		return "a time such as 2026-04-01T10:00:00Z"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "a list"
	}
	return "an object"
}

// jsonWords names a JSON value's kind as encoding/json reports it ("string", "array").
func jsonWords(v string) string {
	switch {
	case v == "string":
		return "text"
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return v
}
