package rfc3339

import (
	"strings"
	"testing"
	"time"
)

// FuzzReadUTC: the hand-written time reader accepts exactly the quoted times that
// time.Parse reads in UTC and AppendFormat writes back byte for byte, and reads them
// to the same instant.
func FuzzReadUTC(f *testing.F) {
	for _, s := range []string{`"2026-03-02T09:30:00Z"`, `"2026-03-02T09:30:00.5Z"`, `"2026-03-02T09:30:00.500Z"`,
		`"2024-02-29T23:59:59.999999999Z"`, `"2025-02-29T00:00:00Z"`, `"0000-01-01T00:00:00Z"`, `"2026-13-01T00:00:00Z"`,
		`"2026-04-31T00:00:00Z"`, `"2026-03-02T24:00:00Z"`, `"2026-03-02T09:60:00Z"`, `"2026-03-02T09:30:60Z"`,
		`"2026-03-02T09:30:00.Z"`, `"2026-03-02T09:30:00.1234567891Z"`, `"2026-03-02T09:30:00+01:00"`, `"2026-3-2T09:30:00Z"`,
		`"1900-02-29T00:00:00Z"`, `"2000-02-29T00:00:00Z"`, `"2026-03-02t09:30:00z"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, n, ok := ReadQuotedUTC([]byte(s + `,"next"`))
		ok = ok && n == len(s) // a time followed by more is read as the time; here it must be all of s
		want, err := time.Parse(Layout, strings.TrimPrefix(strings.TrimSuffix(s, `"`), `"`))
		wantOK := err == nil && len(s) > 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.Contains(s[1:len(s)-1], `"`) &&
			want.Location() == time.UTC && `"`+want.Format(Layout)+`"` == s
		if ok != wantOK {
			t.Fatalf("%s: read %v, time.Parse and Format say %v (%v)", s, ok, wantOK, err)
		}
		if ok && got != want {
			t.Fatalf("%s: read %v in %d bytes, want %v in %d", s, got, n, want, len(s))
		}
	})
}

// FuzzAppendUTC: the hand-written time writer writes what AppendFormat writes.
func FuzzAppendUTC(f *testing.F) {
	f.Add(int64(1772443800), int64(0))
	f.Add(int64(1772443800), int64(500_000_000))
	f.Add(int64(-62135596800), int64(1))
	f.Add(int64(253402300799), int64(999_999_999))
	f.Add(int64(253402300800), int64(0))
	f.Add(int64(-62135596801), int64(120))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1_000_000_000).In(time.FixedZone("x", int(sec%50_000)))
		if got, want := string(AppendUTC([]byte("x"), tm)), "x"+tm.UTC().Format(Layout); got != want {
			t.Fatalf("%v: wrote %s, want %s", tm, got, want)
		}
	})
}
