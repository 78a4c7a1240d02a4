package screen

import "testing"

func TestTokenSim(t *testing.T) {
	tests := []struct {
		a, b    string
		match   bool
		wantHow string
	}{
		{"huawei", "huawei", true, "exact"},
		{"johnson", "jonson", true, "fuzzy"},          // one deletion
		{"lukashenko", "luakshenko", true, "fuzzy"},   // one transposition
		{"technology", "technologies", true, "fuzzy"}, // plural
		{"hannibal", "hanniball", true, "fuzzy"},      // doubled letter
		{"joonng", "jong", true, "fuzzy"},             // doubled letters
		{"mohammed", "muhammad", true, "phonetic"},    // transliteration variant
		{"aleksandr", "alexander", true, "phonetic"},  // ks/x
		{"kontsern", "concern", true, "phonetic"},     // ts/c
		{"selenskyj", "zelenskyy", true, "phonetic"},  // s/z, final j
		{"khurelchukh", "khurelsukh", true, "fuzzy"},  // two edits in a long word
		{"mosk", "musk", true, "fuzzy"},               // four letters, same sound
		{"sok", "sko", true, "fuzzy"},                 // three letters swapped
		{"wang", "yang", false, ""},                   // four letters, other sound
		{"chen", "chan", false, ""},                   // four letters, other sound
		{"castro", "castillo", false, ""},             // too far
		{"tim", "tom", false, ""},                     // three letters, one substitution
		{"2004", "2005", false, ""},                   // numbers only match exactly
		{"mohammed", "mahmoud", false, ""},            // different names, kept apart by the h rule
		{"federer", "federman", false, ""},            // three edits
		{"", "a", false, ""},                          // empty
		{"вукич", "вучич", true, "fuzzy"},             // one edit in Cyrillic, no phonetic key
		{"이재형", "이재명", false, ""},                     // Hangul syllables: three letters
		{"iliana", "iliana", true, "exact"},           // exact non-Latin path equal too
		{"abdurrahim", "abdurrahman", false, ""},      // three edits
		{"gonzales", "gonzalez", true, "fuzzy"},       // one edit
		{"williams", "william", true, "fuzzy"},        // plural-like ending
		{"xijinping", "xijinping", true, "exact"},     // long exact
		{"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghik", true, "fuzzy"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			got, how := tokenSim(tt.a, tt.b)
			if (got > 0) != tt.match {
				t.Fatalf("tokenSim(%q, %q) = %v (%s), want match %v", tt.a, tt.b, got, how, tt.match)
			}
			if how != tt.wantHow {
				t.Errorf("tokenSim(%q, %q) how = %q, want %q", tt.a, tt.b, how, tt.wantHow)
			}
			if got < 0 || got > 1 {
				t.Errorf("tokenSim(%q, %q) = %v, outside [0,1]", tt.a, tt.b, got)
			}
			if back, _ := tokenSim(tt.b, tt.a); back != got {
				t.Errorf("tokenSim not symmetric on %q, %q: %v and %v", tt.a, tt.b, got, back)
			}
		})
	}
}

func TestPhoneticKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"mohammed", "muhammad"},
		{"sergei", "sergey"},
		{"aleksandr", "alexander"},
		{"schwartz", "schwarz"},
		{"philip", "filip"},
		{"khalid", "halid"},
		{"volodymyr", "wolodymyr"},
		{"djamal", "jamal"},
		{"tchaikovsky", "chaikovsky"},
	}
	for _, tt := range tests {
		if ka, kb := phoneticKey(tt.a), phoneticKey(tt.b); ka != kb {
			t.Errorf("phoneticKey(%q) = %q, phoneticKey(%q) = %q, want equal", tt.a, ka, tt.b, kb)
		}
	}
	apart := []struct{ a, b string }{
		{"mohammed", "mahmoud"},
		{"castro", "castillo"},
		{"wang", "yang"},
	}
	for _, tt := range apart {
		if ka, kb := phoneticKey(tt.a), phoneticKey(tt.b); ka == kb {
			t.Errorf("phoneticKey(%q) = phoneticKey(%q) = %q, want different", tt.a, tt.b, ka)
		}
	}
	if got := phoneticKey("путин"); got != "" {
		t.Errorf("phoneticKey of a non-Latin token = %q, want empty", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 2},
		{"ab", "ba", 3, 1},
		{"", "abc", 5, 3},
		{"путин", "пулин", 3, 1},
		{"same", "same", 3, 0},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestStemPlural(t *testing.T) {
	tests := map[string]string{
		"technologies": "technology", "systems": "system", "boxes": "box", "glasses": "glass",
		"industries": "industry", "thomas": "thoma", "aziz": "aziz", "bus": "bus", "status": "status",
		"analysis": "analysis",
	}
	for in, want := range tests {
		if got := stemPlural(in); got != want {
			t.Errorf("stemPlural(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLegalConflict(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"gmbh", "jsc", true},
		{"llc", "jsc", true},
		{"gmbh", "llc", false},
		{"co", "jsc", false},
		{"ltd", "llc", false},
		{"npo", "llc", true},
	}
	for _, tt := range tests {
		if got := legalConflict(tt.a, tt.b); got != tt.want {
			t.Errorf("legalConflict(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
