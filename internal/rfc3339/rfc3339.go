// Package rfc3339 reads and writes times in UTC as time.RFC3339Nano writes them
// ("2006-01-02T15:04:05.5Z": as many digits of the second's fraction as it needs, none
// trailing), and dates as time.DateOnly, by hand. Every event carries two such times and
// many payloads more, and time.Parse, with the check that a time was written
// canonically, was a third of decoding an event. The events' canonical bytes and the
// payload readers both use it; fuzz tests hold it to the time package.
//
// It imports nothing of govledger.
package rfc3339

import "time"

// Layout is the layout these times are written in.
const Layout = time.RFC3339Nano

// AppendUTC writes t in UTC as t.UTC().AppendFormat(buf, Layout) does: by hand for the
// years 0 to 9999, by the time package for the others.
func AppendUTC(buf []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(buf, Layout)
	}
	hour, minute, sec := t.Clock()
	buf = appendDigits(buf, year, 4)
	buf = append(buf, '-')
	buf = appendDigits(buf, int(month), 2)
	buf = append(buf, '-')
	buf = appendDigits(buf, day, 2)
	buf = append(buf, 'T')
	buf = appendDigits(buf, hour, 2)
	buf = append(buf, ':')
	buf = appendDigits(buf, minute, 2)
	buf = append(buf, ':')
	buf = appendDigits(buf, sec, 2)
	if ns := t.Nanosecond(); ns > 0 {
		n := 9
		for ns%10 == 0 {
			ns /= 10
			n--
		}
		buf = append(buf, '.')
		buf = appendDigits(buf, ns, n)
	}
	return append(buf, 'Z')
}

// appendDigits writes n, 0 ≤ n < 10^width, in width digits.
func appendDigits(buf []byte, n, width int) []byte {
	var d [9]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(buf, d[:width]...)
}

// ReadQuotedUTC reads a quoted time at the start of b, written as AppendUTC writes it,
// every field range-checked as time.Parse checks it, and says how many bytes it took.
// Any other form (another zone, a trailing zero in the fraction) is refused.
func ReadQuotedUTC(b []byte) (t time.Time, n int, ok bool) {
	const whole = len(`"2006-01-02T15:04:05Z"`)
	if len(b) < whole || b[0] != '"' || b[11] != 'T' || b[14] != ':' || b[17] != ':' {
		return time.Time{}, 0, false
	}
	year, month, day, ok := ReadDate(b[1:11])
	hour, ok1 := Digits(b[12:14])
	minute, ok2 := Digits(b[15:17])
	sec, ok3 := Digits(b[18:20])
	if !ok || !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, 0, false
	}
	i, nsec := 20, 0
	if b[i] == '.' {
		j := i + 1
		for j < len(b) && j-i-1 < 9 && b[j] >= '0' && b[j] <= '9' {
			nsec = nsec*10 + int(b[j]-'0')
			j++
		}
		if j == i+1 || b[j-1] == '0' {
			return time.Time{}, 0, false
		}
		for k := j - i - 1; k < 9; k++ {
			nsec *= 10
		}
		i = j
	}
	if i+1 >= len(b) || b[i] != 'Z' || b[i+1] != '"' {
		return time.Time{}, 0, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), i + 2, true
}

// ReadDate reads 2006-01-02, all of b, range-checked as time.Parse checks it.
func ReadDate(b []byte) (year, month, day int, ok bool) {
	if len(b) != len(time.DateOnly) || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	year, ok1 := Digits(b[0:4])
	month, ok2 := Digits(b[5:7])
	day, ok3 := Digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// Digits reads a fixed-width decimal number: all of b, digits only.
func Digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
