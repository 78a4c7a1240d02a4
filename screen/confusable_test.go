package screen

import (
	"strings"
	"testing"

	"tollgate"
)

// TestUnmask: look-alike letters read as their prototypes, in lower case.
func TestUnmask(t *testing.T) {
	tests := []struct {
		name, in, text, plain string
		note                  string // a substring of one note, "" for none
	}{
		{"ascii", "Huawei Technologies", "Huawei Technologies", "Huawei Technologies", ""},
		{"cherokee H", "Ꮋuawei Technologies", "huawei Technologies", "Ꮋuawei Technologies", "look-alike"},
		{"cyrillic and armenian", "Нսаwеi", "huawei", "Нսаwеi", "look-alike"},
		{"cherokee T", "Moore Ꭲhreads", "Moore threads", "Moore Ꭲhreads", "look-alike"},
		{"cyrillic word untouched", "Газпром Нефть", "Газпром Нефть", "Газпром Нефть", ""},
		{"ukrainian i lower", "Нuаwеі", "huawei", "Нuаwеі", "look-alike"},
		{"rlo", "\u202eseigolonhceT iewauH\u202c", "Huawei Technologies", "Huawei Technologies", "bidi override"},
		{"rlo over arabic keeps order", "\u202eمحمد\u202c", "محمد", "محمد", "bidi override"},
		{"zero width space", "Gaz\u200bprom", "Gazprom", "Gazprom", "invisible"},
		{"soft hyphen", "Kalash\u00adnikov", "Kalashnikov", "Kalashnikov", "invisible"},
		{"word joiner", "Nori\u2060nco", "Norinco", "Norinco", "invisible"},
		{"spaced", "H u a w e i Technologies", "Huawei Technologies", "H u a w e i Technologies", "spaced"},
		{"two initials stay", "J R Smith", "J R Smith", "J R Smith", ""},
		{"spaced cyrillic", "Г а з п р о м", "Газпром", "Г а з п р о м", "spaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := unmask(prepare(tt.in))
			if u.text != tt.text || u.plain != tt.plain {
				t.Errorf("unmask(%q) = text %q plain %q, want %q %q", tt.in, u.text, u.plain, tt.text, tt.plain)
			}
			got := strings.Join(u.notes, "; ")
			if tt.note == "" && got != "" || !strings.Contains(got, tt.note) {
				t.Errorf("unmask(%q) notes = %q, want one with %q", tt.in, got, tt.note)
			}
		})
	}
}

// TestUnmaskNeverLowers checks that a name read through look-alikes is also
// read as written: the better reading counts.
func TestUnmaskNeverLowers(t *testing.T) {
	// A real Cyrillic-Latin mixed word: its reading as written must still
	// match itself exactly.
	for _, name := range []string{"АО Kaspersky", "Sberбанк", "Ꮋuawei"} {
		if s, _ := Compare(name, name, tollgate.EntityUnknown); s < 0.99 {
			t.Errorf("Compare(%q, itself) = %.3f", name, s)
		}
	}
}

func TestSpacedLetters(t *testing.T) {
	for s, want := range map[string]bool{"H u a w e i": true, "A B C": true, "J R Smith": false, "Huawei": false, "a  b c": false, "": false} {
		if got := spacedLetters(s); got != want {
			t.Errorf("spacedLetters(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzUnmask(f *testing.F) {
	for _, s := range []string{"Ꮋuawei", "\u202eabc", "a b c", "\u202d\u202c", "Gaz\u200bprom", "x\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := unmask(prepare(s))
		if strings.ContainsFunc(u.plain, isIgnorable) || strings.ContainsFunc(u.text, isIgnorable) {
			t.Errorf("unmask(%q) left an ignorable code point: %q / %q", s, u.plain, u.text)
		}
		Normalize(s)
	})
}
