package screen

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"tollgate"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Case", "HUAWEI Technologies", "huawei technologies"},
		{"Diacritics", "Crédit Agricole Société Générale", "credit agricole societe generale"},
		{"SpecialLatin", "Støre Łukasz Straße Æsir", "store lukasz strasse aesir"},
		{"FullWidth", "ＨＵＡＷＥＩ", "huawei"},
		{"Apostrophes", "Al-Qa'ida O’Brien", "al qaida obrien"},
		{"Hyphens", "Jean-Claude Juncker", "jean claude juncker"},
		{"Ampersand", "Procter & Gamble", "procter and gamble"},
		{"DottedAbbreviation", "J.P. Morgan Chase Bank, N.A.", "jp morgan chase bank co"},
		{"LegalCoLtd", "Huawei Technologies Co., Ltd.", "huawei technologies co ltd"},
		{"LegalCompanyLimited", "Huawei Technologies Company Limited", "huawei technologies co ltd"},
		{"LegalJSC", "OAO Gazprom", "jsc gazprom"},
		{"LegalJointStock", "Tactical Missiles Corporation Joint Stock Company", "tactical missiles corp jsc"},
		{"LegalGerman", "Siemens Aktiengesellschaft", "siemens jsc"},
		{"LegalGmbH", "Deutsche Bank GmbH", "deutsche bank gmbh"},
		{"LegalMisspelled", "Siemens Aktiengeselschaft", "siemens jsc"},
		{"LegalTruncated", "Tactical Missiles Corporation Joint Stock Compan", "tactical missiles corp jsc co"},
		{"LegalLLC", "Stripe Limited Liability Company", "stripe llc"},
		{"LegalRussian", "ООО Ромашка", "llc romashka"},
		{"LegalDottedSARL", "Bowne S.A.R.L.", "bowne llc"},
		{"OnlyLegalWordsKept", "Limited Company", "limited company"},
		{"OFACOrder", "LAVROV, Sergei Viktorovich", "sergei viktorovich lavrov"},
		{"CommaInCompanyKept", "Huawei, Ltd.", "huawei ltd"},
		{"NumberWords", "Three Percenters Brigade Forty Four", "3 percenters brigade 44"},
		{"Ordinal", "First International Bank", "1 international bank"},
		{"Abbreviation", "First Bank Int'l", "1 bank international"},
		{"Leet", "Ig0r Sech1n", "igor sechin"},
		{"AcronymInParens", "National University of Defense Technology (NUDT)", "national university of defense technology"},
		{"OtherParensKept", "Bank of China (Hong Kong) Limited", "bank of china hong kong ltd"},
		{"Particles", "Bashar el-Assad ibn Hafez", "bashar al assad bin hafez"},
		{"ParticleFirstIsName", "Ben Netanyahu", "ben netanyahu"},
		{"Cyrillic", "Сергей Викторович Лавров", "sergey viktorovich lavrov"},
		{"CyrillicKh", "Хабаровск Щукин", "khabarovsk shchukin"},
		{"Greek", "Αλέξης Τσίπρας", "alexis tsipras"},
		{"Armenian", "Բարակ Օբամա", "barak obama"},
		{"Arabic", "فرناندو", "frnandu"},
		{"ChineseCompany", "北京华为数字技术有限公司", "beijing huawei digital technology co ltd"},
		{"ChineseTraditional", "華為技術有限公司", "huawei technology co ltd"},
		{"ChineseUniversity", "国防科技大学", "national defense technology university"},
		{"ChinesePerson", "习近平", "xi jinping"},
		{"ChineseHeteronymSurname", "单雄信", "shan xiongxin"},
		{"Hangul", "이재명", "i jae myeong"},
		{"Empty", "", ""},
		{"PunctuationOnly", "-- ,. ()", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	for _, in := range []string{
		"Huawei Technologies Co., Ltd.", "LAVROV, Sergei Viktorovich", "北京华为数字技术有限公司",
		"JPMorgan Chase Bank, N.A.", "Three Percenters", "Концерн Калашников", "Bowne S.A.R.L.",
		"OAO Gazprom", "فرناندو بيريز", "National University of Defense Technology (NUDT)",
	} {
		once := Normalize(in)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", in, twice, once)
		}
	}
}

func TestChineseReading(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		wantAlts string // alternative spellings, in token order
	}{
		{"国防科技大学", "national defense technology university", "guofang keji daxue"},
		{"曙光信息产业股份有限公司", "shuguang information industry co ltd", "xinxi chanye"},
		{"四川大学", "sichuan university", "sichuandaxue"}, // a CC-CEDICT entry as a whole
		{"成都华为技术有限公司", "chengdu huawei technology co ltd", "jishu"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f := analyze(tt.in, tollgate.EntityUnknown).forms[0]
			if got := f.String(); got != tt.want {
				t.Errorf("reading of %q = %q, want %q", tt.in, got, tt.want)
			}
			var alts []string
			for _, tok := range f.toks {
				if tok.alt != "" {
					alts = append(alts, tok.alt)
				}
			}
			if got := strings.Join(alts, " "); got != tt.wantAlts {
				t.Errorf("alternatives of %q = %q, want %q", tt.in, got, tt.wantAlts)
			}
		})
	}
}

func TestHeteronymSurnames(t *testing.T) {
	tests := map[string]string{
		"单田芳": "shan tianfang", "曾国藩": "zeng guofan", "解缙": "xie jin", "区家麟": "ou jialin",
		"仇英": "qiu ying", "朴槿惠": "piao jinhui", "查良镛": "zha liangyong", "欧阳修": "ouyang xiu",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenKinds(t *testing.T) {
	tests := []struct {
		in   string
		typ  tollgate.EntityType
		want []tokKind
	}{
		{"Mr John of the Smith", tollgate.EntityUnknown, []tokKind{kindHonorific, kindWord, kindStop, kindStop, kindWord}},
		{"Sergey Viktorovich Lavrov", tollgate.EntityPerson, []tokKind{kindWord, kindPatronymic, kindWord}},
		{"Huawei Co., Ltd., Chengdu", tollgate.EntityOrganization, []tokKind{kindWord, kindLegal, kindLegal, kindQualifier}},
		{"KKR Fund XII", tollgate.EntityOrganization, []tokKind{kindWord, kindWord, kindNumber}},
		{"Xi Jinping", tollgate.EntityPerson, []tokKind{kindWord, kindWord}},
		{"Lia Sá", tollgate.EntityPerson, []tokKind{kindWord, kindWord}},
		{"Lia S.A.", tollgate.EntityOrganization, []tokKind{kindWord, kindLegal}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			toks := analyze(tt.in, tt.typ).forms[0].toks
			var got []tokKind
			for _, tok := range toks {
				got = append(got, tok.kind)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("kinds of %q = %v, want %v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("kinds of %q = %v, want %v", tt.in, got, tt.want)
					break
				}
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"Huawei Technologies Co., Ltd.", "LAVROV, Sergei", "北京华为数字技术有限公司", "Сергей Лавров",
		"N.A.", "(NUDT)", "فرناندو", "이재명", "Forty Four", "Ig0r", "a'b.c-d&e,f;g", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Normalize(s)
		if !utf8.ValidString(once) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, once)
		}
		// Pinyin from Chinese characters is matched strictly and kept as
		// spelled; read again as Latin it may take the Latin rules once
		// (本 "ben" then the particle "bin"). Everything else is stable at
		// once.
		twice := Normalize(once)
		if hasHan(s) {
			once = twice
			twice = Normalize(once)
		}
		if twice != once {
			t.Fatalf("Normalize not idempotent on %q: %q then %q", s, once, twice)
		}
		score, _ := Compare(s, once, tollgate.EntityUnknown)
		if score < 0 || score > 1 {
			t.Fatalf("Compare(%q, %q) = %v, outside [0,1]", s, once, score)
		}
	})
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
