package screen

import (
	"slices"
	"testing"

	"tollgate"
)

func TestSyllables(t *testing.T) {
	tests := []struct {
		word  string
		valid func(string) bool
		want  []string
	}{
		{"jinping", isPinyin, []string{"jin", "ping"}},
		{"xiaoping", isPinyin, []string{"xiao", "ping"}},
		{"zedong", isPinyin, []string{"ze", "dong"}},
		{"hsiao", isWade, []string{"hsiao"}},
		{"hsi", isPinyin, nil},
		{"tsetung", isWade, []string{"tse", "tung"}},
		{"smith", isPinyin, nil},
		{"", isPinyin, nil},
	}
	for _, tt := range tests {
		if got := syllables(tt.word, tt.valid); !slices.Equal(got, tt.want) {
			t.Errorf("syllables(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestRomanizationPairs: a Chinese name in Pinyin and in Wade-Giles (with
// or without apostrophes and hyphens) is one name; one syllable apart is
// another (issue 19, 4).
func TestRomanizationPairs(t *testing.T) {
	tests := []struct {
		a, b  string
		match bool
	}{
		{"Xi Jinping", "Hsi Chin-ping", true},
		{"Xi Jinping", "Hsi Chin-p'ing", true},
		{"Mao Zedong", "Mao Tse-tung", true},
		{"Deng Xiaoping", "Teng Hsiao-p'ing", true},
		{"Zhou Enlai", "Chou En-lai", true},
		{"Zhang Wei", "Chang Wei", true},
		{"Jiang Zemin", "Chiang Tse-min", true},
		{"Wang Wei", "Wang Wen", false},
		{"Xi Jinping", "Hu Jintao", false},
		{"Maria Lopez", "Mariah Lopes", true}, // not Chinese: unchanged
	}
	for _, tt := range tests {
		s, ex := Compare(tt.a, tt.b, tollgate.EntityPerson)
		if got := s >= DefaultThreshold; got != tt.match {
			t.Errorf("Compare(%q, %q) = %.3f (%s | %s), want match %v", tt.a, tt.b, s, ex.Query, ex.Listed, tt.match)
		}
	}
}
