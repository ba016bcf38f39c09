package events

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzJSON: validJSON is json.Valid, and compactJSON is json.Compact, byte for byte.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"proposal":"admit-essex-mind","partner":"colchester-cvs","vote":"for","reason":"meets the criteria"}`,
		` { "a" : [ 1 , -2.5e+3 , 0.1E9 , true , false , null ] , "b" : { } , "c" : [ ] } `,
		`{"s":"esc \" \\ \/ \b \f \n \r \t \u00e9 \uD834\uDD1E caf` + "\xe9" + `"}`,
		`"\u12"`, `"\x"`, `01`, `-`, `-0`, `1.`, `1e`, `1e+`, `.5`, `+1`, `tru`, `nulls`, `[1,]`, `{"a":1,}`, `{"a"}`, `{1:2}`,
		"\"tab\there\"", "[1]\n", "", " ", `{}x`, `[`, `]`, `"`, "\ufeff{}", `1 2`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(sameAsEncodingJSON)
}

// The limit on nesting is tested here rather than seeded into FuzzJSON: values ten
// thousand deep would slow every run of the fuzzer a hundredfold.
func TestJSONDepthLimit(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
		strings.Repeat(`{"a":`, maxJSONDepth) + "1" + strings.Repeat("}", maxJSONDepth),
		strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1),
	} {
		sameAsEncodingJSON(t, []byte(src))
	}
	if !validJSON([]byte(strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth))) {
		t.Errorf("JSON nested %d deep is refused", maxJSONDepth)
	}
	if validJSON([]byte(strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1))) {
		t.Errorf("JSON nested %d deep is accepted", maxJSONDepth+1)
	}
}

// sameAsEncodingJSON fails unless validJSON is json.Valid and compactJSON is
// json.Compact on src, byte for byte.
func sameAsEncodingJSON(t *testing.T, src []byte) {
	t.Helper()
	want := json.Valid(src)
	if got := validJSON(src); got != want {
		t.Fatalf("%q: validJSON says %v, json.Valid %v", src, got, want)
	}
	var buf bytes.Buffer
	err := json.Compact(&buf, src)
	got, ok := compactJSON([]byte("prefix"), src)
	if ok != (err == nil) || ok != want {
		t.Fatalf("%q: compactJSON says %v, json.Compact %v", src, ok, err)
	}
	if ok && string(got) != "prefix"+buf.String() {
		t.Fatalf("%q: compacted to %q, json.Compact gives %q", src, got, buf.String())
	}
	if !ok && string(got) != "prefix" {
		t.Fatalf("%q: refused, yet wrote %q", src, got)
	}
}
