package screen

import "testing"

// TestRussianLegalForms: Russian legal forms and quotes are read like the
// Latin ones (issue 19, 5); their abbreviations count only in Cyrillic.
func TestRussianLegalForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ПАО «НК «Роснефть»", "jsc co rosneft"},
		{"НК Роснефть", "co rosneft"},
		{"АО «Концерн «Калашников»", "jsc kontsern kalashnikov"},
		{"Банк ВТБ (ПАО)", "bank vtb jsc"},
		{"ООО „Рога и копыта“", "llc roga i kopyta"},
		{"ФГУП «Ростех»", "gup rostekh"},
		{"Госкорпорация «Росатом»", "corp rosatom"},
		{"Государственная корпорация «Росатом»", "corp rosatom"},
		{"NK Partners", "nk partners"},       // Latin: an ordinary word
		{"Tao Ao Trading", "tao ao trading"}, // Latin "ao" inside a name
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
