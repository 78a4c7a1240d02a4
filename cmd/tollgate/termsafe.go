package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"unicode/utf8"
)

// newTable returns the tab writer every CLI table is written through: its
// output passes through termSafe (as do the one-line summaries that echo
// stored names), so that text stored before the input
// rules refused control characters (or written straight into the
// database) cannot drive the operator's terminal.
func newTable(w io.Writer, minwidth, tabwidth, padding int) *tabwriter.Writer {
	return tabwriter.NewWriter(termSafe{w}, minwidth, tabwidth, padding, ' ', 0)
}

// termSafe writes text with every character a terminal would act on
// escaped as Go writes it in a quoted string: C0 and C1 control characters
// but tab and line feed (\x1b, \u009b), bidirectional overrides and
// isolates (\u202e), and bytes that are not UTF-8 (\xff).
type termSafe struct{ w io.Writer }

func (t termSafe) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			out = fmt.Appendf(out, `\x%02x`, p[i])
		case r == '\t' || r == '\n':
			out = append(out, p[i])
		case r < 0x20 || r == 0x7f:
			out = fmt.Appendf(out, `\x%02x`, r)
		case (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, p[i:i+size]...)
		}
		i += size
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
