package tollgate

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckText checks a text field's value s, as every entry point takes text
// (the API's decoder checks every string of a request body with it): valid
// UTF-8 without U+FFFD (the mark that text was damaged before it arrived,
// such as a lone surrogate \ud800 in JSON), and no C0 or C1 control
// character (NUL, BEL, ESC, CSI…) but tab, line feed and carriage return,
// which multi-line text (a reason, an end use) may hold. A control
// character stored in a name would reach an operator's terminal.
func CheckText(field, s string) error {
	for i, r := range s {
		if msg := textProblem(s, i, r, true); msg != "" {
			return FieldErrorf(field, "%s", msg)
		}
	}
	return nil
}

// CheckLine checks a one-line text field: CheckText without the tab and
// line breaks it allows.
func CheckLine(field, s string) error {
	for i, r := range s {
		if msg := textProblem(s, i, r, false); msg != "" {
			return FieldErrorf(field, "%s", msg)
		}
	}
	return nil
}

// textProblem says what is wrong with the rune r at byte i of s, or "".
func textProblem(s string, i int, r rune, multiline bool) string {
	switch {
	case r == utf8.RuneError && len(s[i:]) > 0:
		if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
			return fmt.Sprintf("is not valid UTF-8 (byte %d)", i)
		}
		return fmt.Sprintf("holds U+FFFD at byte %d, the mark of text damaged before it arrived (invalid UTF-8 or a lone surrogate)", i)
	case multiline && (r == '\t' || r == '\n' || r == '\r'):
		return ""
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return fmt.Sprintf("holds the control character U+%04X at byte %d", r, i)
	}
	return ""
}

// CheckName checks a name outside the root package's own types (an API
// token's name, say) as every name is checked: one line of text with a
// visible character, no surrounding white space, at most MaxNameLen bytes;
// non-empty when required.
func CheckName(field, s string, required bool) error {
	return validateNameField(field, s, required)
}

// IsInvisible reports whether r shows nothing on its own: white space, a
// format character (zero-width space and joiners, the byte order mark,
// bidirectional controls) or another default-ignorable code point (Hangul
// fillers, variation selectors).
func IsInvisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || unicode.IsControl(r)
}

// HasVisible reports whether s holds at least one character that is not
// invisible (IsInvisible).
func HasVisible(s string) bool {
	for _, r := range s {
		if !IsInvisible(r) {
			return true
		}
	}
	return false
}
