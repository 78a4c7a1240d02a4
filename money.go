package tollgate

import (
	"strconv"
	"strings"
)

// FormatCents writes an amount of US cents as a person reads it: dollars
// with thousands separators and two decimals, 625000000 → "$6,250,000.00",
// -150 → "-$1.50". It is the one money format of everything printed for a
// person; JSON and CSV keep integer cents.
func FormatCents(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", uint64(-(cents+1))+1 // math.MinInt64 has no positive twin
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign + "$")
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	frac := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	return b.String()
}
