package lists

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// cleanText trims a field, collapses runs of white space (line breaks inside
// quoted fields included) into one space, and repairs bytes that are not
// UTF-8 by reading them as Windows-1252, the encoding older list files used.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = fromWindows1252(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' ||
			(c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ')) || c >= 0x80 {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to Unicode; the other
// bytes above 0x7F are Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// fromWindows1252 keeps the valid UTF-8 of s and decodes each invalid byte as
// Windows-1252.
func fromWindows1252(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			c := s[i]
			if c >= 0x80 && c < 0xA0 {
				r = cp1252[c-0x80]
			} else {
				r = rune(c)
			}
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// decodeWindows1252 decodes every byte of b as Windows-1252.
func decodeWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// splitList splits a sep-separated field into its cleaned, non-empty,
// distinct parts.
func splitList(s, sep string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for part := range strings.SplitSeq(s, sep) {
		out = appendUnique(out, cleanText(part))
	}
	return out
}

// appendUnique appends s unless it is empty or already present.
func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

// rowReader reads CSV records, turning malformed ones into Problems so that
// parsing goes on past them.
type rowReader struct {
	cr       *csv.Reader
	problems *[]Problem
	prefix   string // names the file in messages when a parser reads several
}

func newRowReader(r io.Reader, comma rune, lazyQuotes bool, problems *[]Problem, prefix string) *rowReader {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM)) // a byte-order mark some exports begin with
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = lazyQuotes
	cr.ReuseRecord = true
	return &rowReader{cr: cr, problems: problems, prefix: prefix}
}

// next returns the next well-formed record and the line it starts on; io.EOF
// at the end. The record is reused by the following call.
func (rr *rowReader) next() ([]string, int, error) {
	for {
		rec, err := rr.cr.Read()
		if err == nil {
			line, _ := rr.cr.FieldPos(0)
			return rec, line, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rr.problem(pe.StartLine, "malformed CSV (%v, line %d column %d); row skipped", pe.Err, pe.Line, pe.Column)
			continue
		}
		return nil, 0, err // io.EOF or a read error
	}
}

func (rr *rowReader) problem(line int, format string, args ...any) {
	*rr.problems = append(*rr.problems, Problem{Line: line, Message: rr.prefix + fmt.Sprintf(format, args...)})
}

// field returns rec[i] cleaned, or "" when the record is too short or i < 0.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return cleanText(rec[i])
}

var monthByName = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// normalizeDMY turns the day-month-year dates of OFAC's remarks ("27 Sep
// 1961", "Sep 1961", "1961") into "1961-09-27", "1961-09" and "1961"; any
// other text comes back cleaned but unchanged.
func normalizeDMY(s string) string {
	s = cleanText(s)
	parts := strings.Fields(s)
	year := func(p string) bool { return len(p) == 4 && isDigits(p) }
	switch {
	case len(parts) == 1 && year(parts[0]):
		return parts[0]
	case len(parts) == 2 && year(parts[1]):
		if m, ok := monthByName[strings.ToLower(parts[0])]; ok {
			return fmt.Sprintf("%s-%02d", parts[1], m)
		}
	case len(parts) == 3 && year(parts[2]):
		m, ok := monthByName[strings.ToLower(parts[1])]
		d, err := strconv.Atoi(parts[0])
		if ok && err == nil && d >= 1 && d <= 31 {
			return fmt.Sprintf("%s-%02d-%02d", parts[2], m, d)
		}
	}
	return s
}

// normalizeMDY turns the DPL's "06/19/2003" into "2003-06-19"; ok is false
// when s is not such a date.
func normalizeMDY(s string) (string, bool) {
	m, rest, ok1 := strings.Cut(s, "/")
	d, y, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || !isDigits(m) || !isDigits(d) || len(y) != 4 || !isDigits(y) || len(m) > 2 || len(d) > 2 {
		return "", false
	}
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	if mi < 1 || mi > 12 || di < 1 || di > 31 {
		return "", false
	}
	return fmt.Sprintf("%s-%02d-%02d", y, mi, di), true
}
