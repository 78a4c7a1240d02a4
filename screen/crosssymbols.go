package screen

// crossSymbols spells a romanized token s (from script sc) as sound
// symbols, appended to buf: digraphs become one symbol, doubled symbols
// one, y and w before a vowel are glides and otherwise vowels, as is a j
// that ends a syllable (Sergej); the abjads write their vowels i and u, so
// their y and w are consonants. korean reads the vowel digraphs of Korean
// romanizations as one vowel (koreanVowel). Pinyin spells x, q, c and z as sh, ch, ts
// and ts.
func crossSymbols(s string, sc script, korean bool, buf []byte) []byte {
	pinyin := sc == scriptHan || sc == scriptHanForeign
	abjad := sc == scriptArabic || sc == scriptHebrew
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	emit := func(c byte) {
		if len(buf) < maxCrossLen && (len(buf) == 0 || buf[len(buf)-1] != c) {
			buf = append(buf, c)
		}
	}
	start := 0
	if abjad && len(s) > 1 && s[0] == 'a' {
		// A word-initial alef (or ayin) carries whatever vowel the word
		// starts with (אהוד "Ehud"): A matches any vowel. Before a long
		// vowel it only carries that one (أوندوا "Ondoa").
		if s[1] == 'u' || s[1] == 'o' || s[1] == 'i' {
			start = 1
		} else {
			emit('A')
			start = 1
		}
	}
	for i := start; i < len(s); i++ {
		c, next := s[i], at(i+1)
		vowelNext := isVowelByte(next) && next != 'y' || abjad
		switch c {
		case 'y':
			if vowelNext {
				emit('y')
			} else {
				emit('i')
			}
		case 'w':
			if vowelNext {
				emit('w')
			} else {
				emit('u')
			}
		case 'j':
			if vowelNext || i == 0 {
				emit('j')
			} else {
				emit('i')
			}
		case 'k':
			if next == 'h' {
				emit('x')
				i++
			} else {
				emit('k')
			}
		case 'g':
			if next == 'h' {
				emit('G')
				i++
			} else {
				emit('g')
			}
		case 'c':
			switch {
			case next == 'h':
				emit('C')
				i++
			case pinyin:
				emit('c')
			case next == 'k':
				emit('k')
				i++
			case next == 'z':
				emit('C')
				i++
			case next == 'e' || next == 'i' || next == 'y':
				emit('s')
			default:
				emit('k')
			}
		case 's':
			switch {
			case next == 'c' && at(i+2) == 'h':
				emit('S')
				i += 2
			case next == 'h' || next == 'z':
				emit('S')
				i++
			default:
				emit('s')
			}
		case 'z':
			switch {
			case next == 'h':
				emit('Z')
				i++
			case pinyin:
				emit('c')
			default:
				emit('z')
			}
		case 't':
			switch {
			case next == 'h':
				emit('T')
				i++
			case next == 'c' && at(i+2) == 'h', next == 's' && at(i+2) == 'h':
				emit('C')
				i += 2
			case next == 's' || next == 'z':
				emit('c')
				i++
			default:
				emit('t')
			}
		case 'd':
			switch {
			case next == 'h':
				emit('D')
				i++
			case next == 'j':
				emit('j')
				i++
			case next == 'z' && at(i+2) == 'h':
				emit('j')
				i += 2
			default:
				emit('d')
			}
		case 'p':
			if next == 'h' {
				emit('f')
				i++
			} else {
				emit('p')
			}
		case 'x':
			if pinyin {
				emit('S')
			} else {
				emit('k')
				emit('s')
			}
		case 'q':
			if pinyin {
				emit('C')
			} else {
				emit('q')
			}
		case 'n':
			if next == 'g' && !isVowelByte(at(i+2)) {
				emit('N')
				i++
			} else {
				emit('n')
			}
		case 'a', 'e', 'i', 'o', 'u':
			if v, ok := koreanVowel(c, next); ok && korean {
				emit(v)
				i++
			} else {
				emit(c)
			}
		default:
			emit(c)
		}
	}
	return buf
}

// koreanVowel reads the vowel digraphs of Korean romanizations as the one
// vowel they write: the Revised Romanization's eo (O) is written o or u
// elsewhere (정 jeong, Jung, Chong) and its eu (U) u (은 eun, Un); ae is
// written e as well, oe and oi are one vowel (E: 최 choe, Choi), ui is
// i-like, and oo and ee are the u and i of English-style spellings (Moon,
// Lee).
func koreanVowel(c, next byte) (byte, bool) {
	switch string([]byte{c, next}) {
	case "eo":
		return 'O', true
	case "eu":
		return 'U', true
	case "ae":
		return 'e', true
	case "oe", "oi":
		return 'E', true
	case "ui", "ee":
		return 'i', true
	case "oo":
		return 'u', true
	}
	return 0, false
}

// crossKey returns the retrieval key of a romanized token from script sc:
// its consonants by class (b p f v; d t; g k q; s z and the sibilants; l r;
// m; n), vowels and glides left out. Two tokens that crossSim finds alike
// without a full edit share it.
func crossKey(s string, sc script) string {
	var buf, out [maxCrossLen]byte
	k := out[:0]
	for _, c := range crossSymbols(s, sc, false, buf[:0]) {
		var cls byte
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w', 'h':
			continue
		case 'b', 'p', 'f', 'v':
			cls = 'P'
		case 'd', 't', 'T', 'D':
			cls = 'T'
		case 'g', 'k', 'q', 'G', 'x':
			cls = 'K'
		case 's', 'z', 'c', 'S', 'Z', 'C', 'j':
			cls = 'S'
		case 'l', 'r':
			cls = 'L'
		case 'n', 'N':
			cls = 'N'
		default:
			cls = c
		}
		if len(k) == 0 || k[len(k)-1] != cls {
			k = append(k, cls)
		}
	}
	return string(k)
}
