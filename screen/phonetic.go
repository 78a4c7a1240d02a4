package screen

// phoneticKey returns a key that transliteration variants of a name share:
// a consonant skeleton (vowels after the first letter dropped, doubled
// letters collapsed) with the consonant spellings that different
// romanizations use for one sound mapped together: kh/h, ph/f, c/k/q, x/ks,
// z/ts/tz/s, w/v, dj/j/zh, sh/sch, ch/tch, th/t, dh/d, gh/g. So Mohammed and
// Muhammad share "mhmd", Aleksandr and Alexander share "Alksndr", Sergei and
// Sergey share "srg". An h is kept only between vowels or before a vowel at
// the start, which keeps Mohammed ("mhmd") apart from Mahmoud ("mmd").
// Tokens outside ASCII (scripts without a folding rule) have no key.
func phoneticKey(s string) string {
	if s == "" || !isASCII(s) {
		return ""
	}
	var buf [32]byte
	out := buf[:0]
	n := len(s)
	at := func(i int) byte {
		if i >= 0 && i < n {
			return s[i]
		}
		return 0
	}
	emit := func(k byte) {
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	for i := 0; i < n; i++ {
		c, next := s[i], at(i+1)
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			if i == 0 {
				emit('A')
			}
		case 'b', 'f', 'l', 'm', 'n', 'r':
			emit(c)
		case 'c':
			switch {
			case next == 'h':
				emit('C')
				i++
			case next == 'k':
				emit('k')
				i++
			case next == 'e' || next == 'i' || next == 'y':
				emit('s')
			default:
				emit('k')
			}
		case 'd':
			switch {
			case next == 'h':
				emit('d')
				i++
			case next == 'j':
				emit('J')
				i++
			case next == 'z' && at(i+2) == 'h':
				emit('J')
				i += 2
			default:
				emit('d')
			}
		case 'g':
			emit('g')
			if next == 'h' {
				i++
			}
		case 'h':
			if isVowelByte(next) && (i == 0 || isVowelByte(at(i-1))) {
				emit('h')
			}
		case 'j':
			// A j before a consonant or at the end is a vowel glide
			// (Selenskyj, Andrej): it goes with the vowels.
			if i == 0 || isVowelByte(next) {
				emit('J')
			}
		case 'k':
			if next == 'h' {
				emit('h')
				i++
			} else {
				emit('k')
			}
		case 'p':
			if next == 'h' {
				emit('f')
				i++
			} else {
				emit('p')
			}
		case 'q':
			emit('k')
		case 's':
			switch {
			case next == 'c' && at(i+2) == 'h':
				emit('S')
				i += 2
			case next == 'h':
				emit('S')
				i++
			default:
				emit('s')
			}
		case 't':
			switch {
			case next == 'h':
				emit('t')
				i++
			case next == 'c' && at(i+2) == 'h':
				emit('C')
				i += 2
			case next == 's' && at(i+2) == 'h':
				emit('C')
				i += 2
			case next == 's' || next == 'z':
				emit('s')
				i++
			default:
				emit('t')
			}
		case 'v', 'w':
			emit('v')
		case 'x':
			emit('k')
			emit('s')
		case 'z':
			if next == 'h' {
				emit('J')
				i++
			} else {
				emit('s')
			}
		default:
			emit(c)
		}
	}
	return string(out)
}

func isVowelByte(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
