package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"tollgate"
)

// MustHash hashes password under testParams or fails tb.
func MustHash(tb testing.TB, password string) string {
	tb.Helper()
	h, err := HashPassword(password, testParams, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestHashPassword(t *testing.T) {
	h := MustHash(t, "correct staple battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("hash %q: want the PHC argon2id prefix with the parameters", h)
	}
	if strings.Contains(h, "staple") {
		t.Fatal("hash contains the password")
	}
	if h2 := MustHash(t, "correct staple battery"); h2 == h {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	tests := []struct {
		name, password string
		want           bool
	}{
		{"OK", "correct staple battery", true},
		{"ErrWrong", "correct staple batterY", false},
		{"ErrEmpty", "", false},
		{"ErrPrefix", "correct staple batter", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(tt.password, h)
			if err != nil || got != tt.want {
				t.Fatalf("VerifyPassword = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestHashPasswordDeterministic(t *testing.T) {
	// With a fixed salt the hash is a pure function of password and
	// parameters: the same input gives the same string.
	salt := bytes.Repeat([]byte{7}, 16)
	h1, err1 := HashPassword("pw", testParams, bytes.NewReader(salt))
	h2, err2 := HashPassword("pw", testParams, bytes.NewReader(salt))
	if err1 != nil || err2 != nil || h1 != h2 {
		t.Fatalf("hashes with one salt: %q, %q (%v, %v); want equal", h1, h2, err1, err2)
	}
	if !strings.Contains(h1, "$BwcHBwcHBwcHBwcHBwcHBw$") {
		t.Errorf("hash %q: want the salt in unpadded standard base64", h1)
	}
}

func TestHashPasswordBadParams(t *testing.T) {
	for _, p := range []PasswordParams{
		{},
		{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 8192, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 8192, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 8192, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 8192, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
	} {
		if _, err := HashPassword("pw", p, nil); err == nil {
			t.Errorf("HashPassword with %+v: got nil error", p)
		}
	}
	if err := DefaultPasswordParams().Validate(); err != nil {
		t.Errorf("DefaultPasswordParams().Validate() = %v", err)
	}
}

func TestParsePasswordHash(t *testing.T) {
	good := MustHash(t, "pw")
	h, err := ParsePasswordHash(good)
	if err != nil {
		t.Fatal(err)
	}
	if h.Params != testParams || h.String() != good {
		t.Fatalf("parsed %+v, re-encoded %q; want %+v, %q", h.Params, h.String(), testParams, good)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	bad := map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":        with(1, "argon2i"),
		"version":        with(2, "v=16"),
		"params order":   with(3, "t=1,m=8192,p=1"),
		"params missing": with(3, "m=8192,t=1"),
		"leading zero":   with(3, "m=08192,t=1,p=1"),
		"memory huge":    with(3, "m=4294967295,t=1,p=1"),
		"time huge":      with(3, "m=8192,t=1000,p=1"),
		"threads zero":   with(3, "m=8192,t=1,p=0"),
		"threads 256":    with(3, "m=8192,t=1,p=256"),
		"salt padding":   with(4, parts[4]+"=="),
		"salt short":     with(4, "AAAA"),
		"key bad base64": with(5, "!!!"),
		"extra part":     good + "$x",
		"no leading $":   good[1:],
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePasswordHash(in); err == nil {
				t.Fatalf("ParsePasswordHash(%q): got nil error", in)
			}
			if ok, err := VerifyPassword("pw", in); ok || err == nil {
				t.Fatalf("VerifyPassword against %q = %v, %v; want false and an error", in, ok, err)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	h := MustHash(t, "pw")
	stronger := testParams
	stronger.Time = 2
	tests := []struct {
		name    string
		encoded string
		params  PasswordParams
		want    bool
	}{
		{"Same", h, testParams, false},
		{"Stronger", h, stronger, true},
		{"Unreadable", "plain", testParams, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRehash(tt.encoded, tt.params); got != tt.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckLogin(t *testing.T) {
	h := MustHash(t, "correct staple battery")
	tests := []struct {
		name     string
		u        *tollgate.User
		password string
		wantErr  bool
	}{
		{"OK", &tollgate.User{ID: "u", PasswordHash: h}, "correct staple battery", false},
		{"ErrWrong", &tollgate.User{ID: "u", PasswordHash: h}, "wrong", true},
		{"ErrUnknownUser", nil, "correct staple battery", true},
		{"ErrNoPassword", &tollgate.User{ID: "u"}, "", true},
		{"ErrDisabled", &tollgate.User{ID: "u", PasswordHash: h, Disabled: true}, "correct staple battery", true},
	}
	var msgs []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLogin(testParams, tt.u, tt.password)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckLogin = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
					t.Errorf("code = %q, want unauthorized", tollgate.ErrorCode(err))
				}
				msgs = append(msgs, err.Error())
			}
		})
	}
	for _, m := range msgs {
		if m != msgs[0] {
			t.Errorf("failed logins answer differently: %q and %q", msgs[0], m)
		}
	}
	if err := CheckLogin(testParams, &tollgate.User{ID: "u", PasswordHash: "garbage"}, "x"); tollgate.ErrorCode(err) != tollgate.EINTERNAL {
		t.Errorf("CheckLogin with a corrupt stored hash: code %q, want internal", tollgate.ErrorCode(err))
	}
}

func FuzzParsePasswordHash(f *testing.F) {
	f.Add(MustHash(f, "pw"))
	f.Add("$argon2id$v=19$m=65536,t=2,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParsePasswordHash(s)
		if err != nil {
			return
		}
		if h.Params.Validate() != nil {
			t.Fatalf("accepted out-of-bounds parameters %+v", h.Params)
		}
		if h.String() != s {
			t.Fatalf("round trip: %q became %q", s, h.String())
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct staple battery", DefaultPasswordParams(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	pp := DefaultPasswordPolicy()
	personal := []string{"ada.lovelace@nvidia.example", "Ada Lovelace"}
	tests := []struct {
		name, password string
		want           string // part of the error; "" for none
	}{
		{"OKPassphrase", "violet tractor harbour ninety", ""},
		{"OKRandom", "x7#Kq9!mZ2&w", ""},
		{"OKUnicode", "日本語のパスフレーズ長い文章", ""},
		{"OKDigitsRandom", "830472915563", ""},
		{"OKCommonWordInside", "passionfruit orchard 42", ""},
		{"ErrShort", "x7#Kq9!mZ2&", "at least 12"},
		{"ErrShortUnicode", "日本語のパスフレーズ", "at least 12"},
		{"ErrLong", strings.Repeat("violet tractor ", 100), "at most 1024"},
		{"ErrNotUTF8", "violet tractor\xff harbour", "UTF-8"},
		{"ErrRepeated", "aaaaaaaaaaaaaaaa", "too few"},
		{"ErrRepeatedPair", "abababababab", "too few"},
		{"ErrPassword", "Password1234!", "too common"},
		{"ErrLeet", "P@ssw0rd2024!!", "too common"},
		{"ErrTwoWords", "ILoveYouDragon99!", "too common"},
		{"ErrRepeatedWord", "monkeymonkey12", "too common"},
		{"ErrKeyboard", "qwertyuiop123", "too common"},
		{"ErrKeyboardBackwards", "poiuytrewq!!", "too common"},
		{"ErrAlphabet", "abcdefghijkl1", "too common"},
		{"ErrDigitRun", "123456789012", "too common"},
		{"ErrDigitRunBackwards", "987654321098", "too common"},
		{"ErrDigitRepeat", "123123123123", "too few"},
		{"ErrDigitRepeatLong", "1234512345123", "too common"},
		{"ErrDigitKeypad", "147258369147-", "too common"},
		{"ErrProduct", "Tollgate2026!", "too common"},
		{"ErrMonth", "January2026!!", "too common"},
		{"ErrEmail", "ada.lovelace@nvidia.example!", "name or email"},
		{"ErrEmailLocal", "xx-ada.lovelace-2026", "name or email"},
		{"ErrName", "MyNameIsLovelace42", "name or email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pp.Check(tt.password, personal...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.password, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check(%q) = %v; want an error containing %q", tt.password, err, tt.want)
			}
			var e *tollgate.Error
			if tollgate.ErrorCode(err) != tollgate.EINVALID || !errors.As(err, &e) || e.Field != "password" {
				t.Errorf("error %#v: want EINVALID on field password", err)
			}
			if len(tt.password) >= 12 && strings.Contains(err.Error(), tt.password) {
				t.Errorf("error %q quotes the password", err)
			}
		})
	}
}

func TestPersonalWordsShort(t *testing.T) {
	// Name parts under 4 characters would reject too much ("Li", "Wu").
	if err := DefaultPasswordPolicy().Check("violet li tractor wu", "li.wu@x.cn", "Li Wu"); err != nil {
		t.Fatalf("Check = %v, want nil", err)
	}
}

func FuzzPasswordPolicy(f *testing.F) {
	f.Add("violet tractor harbour ninety", "a@b.c")
	f.Add("P@ssw0rd2024!!", "")
	f.Fuzz(func(t *testing.T, password, email string) {
		err := DefaultPasswordPolicy().Check(password, email)
		if err != nil && tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Fatalf("Check error code %q, want invalid", tollgate.ErrorCode(err))
		}
	})
}
