package screen

import (
	"strings"
	"testing"
	"unicode/utf8"

	"tollgate"
)

// TestCompareAcrossScripts checks names written in one script against their
// usual Latin spelling (and against the spelling of another party), one or
// more per script the engine romanizes.
func TestCompareAcrossScripts(t *testing.T) {
	tests := []struct {
		a, b  string
		match bool
	}{
		// Cyrillic, Greek, Armenian, Georgian: alphabets.
		{"Володимир Зеленський", "Volodymyr Zelensky", true},
		{"Алексей Навальный", "Alexei Navalny", true},
		{"Serej Lavrov", "Сергей Викторович Лавров", true},
		{"Ελευθέριος Βενιζέλος", "Eleftherios Venizelos", true},
		{"Նիկոլ Փաշինյան", "Nikol Pashinyan", true},
		{"მიხეილ სააკაშვილი", "Mikheil Saakashvili", true},
		{"Сергей Лавров", "Sergei Ivanov", false},
		// Arabic script and Hebrew: abjads without short vowels.
		{"فرناندو بيريز", "Fernando Pérez", true},
		{"محمد بن سلمان", "Mohammed bin Salman", true},
		{"بشار الأسد", "Bashar al-Assad", true},
		{"عمران خان", "Imran Khan", true},
		{"محمود احمدی\u200cنژاد", "Mahmoud Ahmadinejad", true},
		{"בנימין נתניהו", "Benjamin Netanyahu", true},
		{"אהוד אולמרט", "Ehud Olmert", true},
		{"بشار الأسد", "Bashar Jaafari", false},
		{"محمد علي", "Mohammed Omar", false},
		{"علاء الدين جمال آل حسين", "Jamal al-Din Hasan", false},
		{"בנימין נתניהו", "Benjamin Franklin", false},
		// Korean: syllable by syllable, surnames in their usual spelling,
		// syllables of a given name in order.
		{"김정은", "Kim Jong Un", true},
		{"김여정", "Kim Yo Jong", true},
		{"이재명", "Lee Jae-myung", true},
		{"박근혜", "Park Geun-hye", true},
		{"최룡해", "Choe Ryong Hae", true},
		{"김정은", "Kim Jong Il", false},
		{"은정 김", "Kim Jong Un", false},
		{"상훈 김", "Kim Song Hun", false},
		{"이재명", "Lee Myung-bak", false},
		// Chinese and Japanese transcriptions of foreign names.
		{"贝拉克·奥巴马", "Barack Obama", true},
		{"弗拉基米尔·普京", "Vladimir Putin", true},
		{"ドナルド・トランプ", "Donald Trump", true},
		{"ウラジーミル・プーチン", "Vladimir Putin", true},
		{"ドナルド・トランプ", "Donald Tusk", false},
		// Brahmic scripts and Ethiopic: an inherent vowel.
		{"नरेन्द्र मोदी", "Narendra Modi", true},
		{"राहुल गांधी", "Rahul Gandhi", true},
		{"ዐቢይ አሕመድ", "Abiy Ahmed", true},
		{"नरेन्द्र मोदी", "Narendra Singh", false},
		// Khmer through the fallback tables.
		{"ហ៊ុន សែន", "Hun Sen", true},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			got, expl := Compare(tt.a, tt.b, tollgate.EntityPerson)
			if (got >= DefaultThreshold) != tt.match {
				t.Errorf("Compare(%q, %q) = %.3f, want match %v\n%s", tt.a, tt.b, got, tt.match, expl)
			}
		})
	}
}

func TestCrossSim(t *testing.T) {
	tests := []struct {
		a     string
		sa    script
		b     string
		sb    script
		match bool
	}{
		{"fernando", scriptLatin, "frnandu", scriptArabic, true},
		{"perez", scriptLatin, "biriz", scriptArabic, true},
		{"ahmed", scriptLatin, "ahmd", scriptHebrew, true},
		{"therese", scriptLatin, "tiriz", scriptArabic, true},
		{"kim", scriptLatin, "gim", scriptHangul, true},
		{"jung", scriptLatin, "jeong", scriptHangul, true},
		{"barack", scriptLatin, "beilake", scriptHanForeign, true},
		{"sergej", scriptLatin, "sergey", scriptCyrillic, true},
		{"serej", scriptLatin, "sergey", scriptCyrillic, true}, // a typo on top: alphabets only
		{"song", scriptLatin, "sang", scriptHangul, false},     // Korean vowels are written
		{"hun", scriptLatin, "hyeon", scriptHangul, false},
		{"hasan", scriptLatin, "hsin", scriptArabic, false}, // a written long vowel
		{"saraj", scriptLatin, "ysar", scriptArabic, false},
		{"abena", scriptLatin, "adina", scriptArabic, false}, // no typo across an abjad
		{"amin", scriptLatin, "min", scriptHangul, false},
		{"vladimir", scriptLatin, "vladimir", scriptCyrillic, true},
		{"a", scriptLatin, "", scriptArabic, false},
	}
	for _, tt := range tests {
		got := crossSim(tt.a, tt.sa, tt.b, tt.sb)
		if (got > 0) != tt.match {
			t.Errorf("crossSim(%q, %q) = %.3f, want match %v", tt.a, tt.b, got, tt.match)
		}
		if got < 0 || got > maxCrossSim {
			t.Errorf("crossSim(%q, %q) = %.3f, out of [0, %v]", tt.a, tt.b, got, maxCrossSim)
		}
		if back := crossSim(tt.b, tt.sb, tt.a, tt.sa); back != got {
			t.Errorf("crossSim is not symmetric on %q, %q: %v and %v", tt.a, tt.b, got, back)
		}
	}
}

// TestCrossKey checks that tokens alike but for a transliteration share
// their retrieval key.
func TestCrossKey(t *testing.T) {
	tests := []struct {
		a  string
		sa script
		b  string
		sb script
	}{
		{"fernando", scriptLatin, "frnandu", scriptArabic},
		{"perez", scriptLatin, "biriz", scriptArabic},
		{"kim", scriptLatin, "gim", scriptHangul},
		{"jong", scriptLatin, "jeong", scriptHangul},
		{"obama", scriptLatin, "aobama", scriptHanForeign},
		{"khamenei", scriptLatin, "khamni", scriptArabic},
	}
	for _, tt := range tests {
		ka, kb := crossKey(tt.a, tt.sa), crossKey(tt.b, tt.sb)
		if ka != kb || ka == "" {
			t.Errorf("crossKey(%q) = %q, crossKey(%q) = %q, want equal", tt.a, ka, tt.b, kb)
		}
	}
}

func TestRomanize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Benjamin נתניהו", "benjamin ntniho"},
		{"כהן", "kehn"},
		{"नरेन्द्र मोदी", "narendra modi"},
		{"राम", "ram"},
		{"গান্ধী", "gandhi"},
		{"ドナルド・トランプ", "donarudo toranpu"},
		{"しんぞう", "shinzou"},
		{"キャシー", "kyashi"},
		{"ዐቢይ አሕመድ", "abiy ahmed"},
		{"მიხეილ", "mikheil"},
		{"문재인", "mun jae in"},
		{"서울특별시청", "seoulteukbyeolsicheong"},
		{"السوداني", "al sudani"},
		{"الله", "allh"},
		{"ហ៊ុន សែន", "hun saen"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScripts(t *testing.T) {
	tests := []struct {
		in   string
		want []script
	}{
		{"Putin Путин", []script{scriptLatin, scriptCyrillic}},
		{"בנימין فرناندو", []script{scriptHebrew, scriptArabic}},
		{"김정", []script{scriptHangul, scriptHangul}},
		{"贝拉克·奥巴马", []script{scriptHanForeign, scriptHanForeign}},
		{"नरेन्द्र ዐቢይ ทักษิณ", []script{scriptIndic, scriptEthiopic, scriptSoutheastAsian}},
	}
	for _, tt := range tests {
		toks := analyze(tt.in, tollgate.EntityUnknown).forms[0].toks
		var got []script
		for _, tok := range toks {
			got = append(got, tok.script)
		}
		if len(got) != len(tt.want) {
			t.Errorf("scripts of %q = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("scripts of %q = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

// FuzzRomanize checks that any text romanizes to lower-case ASCII (other
// scripts to letters and digits only) and that the comparison across
// scripts stays in range.
func FuzzRomanize(f *testing.F) {
	for _, s := range []string{"नरेन्द्र", "キャシー", "ዐቢይ", "בנימין", "문재인", "ห", "ـ", "\u094d\u093e", "ャ", "ー"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		r := romanize(s)
		if !isASCII(r) || strings.ToLower(r) != r {
			t.Fatalf("romanize(%q) = %q, want lower-case ASCII", s, r)
		}
		if !isASCII(s) && strings.IndexFunc(romanize(strings.Map(nonASCII, s)), func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') }) >= 0 {
			t.Fatalf("romanize(%q) = %q, want letters and digits", s, r)
		}
		if sim := crossSim(r, scriptHangul, "kim", scriptLatin); sim < 0 || sim > 1 {
			t.Fatalf("crossSim(%q, kim) = %v", r, sim)
		}
	})
}

// nonASCII keeps the runes outside ASCII.
func nonASCII(r rune) rune {
	if r < 0x80 {
		return -1
	}
	return r
}
