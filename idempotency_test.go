package tollgate_test

import (
	"strings"
	"testing"

	"tollgate"
)

func TestValidateIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"retry:1/party=abc", true},
		{strings.Repeat("k", tollgate.MaxIdempotencyKeyLen), true},
		{"", false},
		{strings.Repeat("k", tollgate.MaxIdempotencyKeyLen+1), false},
		{"has space", false},
		{"tab\tkey", false},
		{"ключ", false},
	} {
		err := tollgate.ValidateIdempotencyKey(tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateIdempotencyKey(%q): got %v, want ok=%v", tc.key, err, tc.ok)
		}
		if err != nil && errField(err) != "Idempotency-Key" {
			t.Errorf("ValidateIdempotencyKey(%q): error names %q, want Idempotency-Key", tc.key, errField(err))
		}
	}
}

func FuzzValidateIdempotencyKey(f *testing.F) {
	for _, s := range []string{"", "a", "has space", "ключ", strings.Repeat("k", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := tollgate.ValidateIdempotencyKey(key)
		printable := len(key) > 0 && len(key) <= tollgate.MaxIdempotencyKeyLen && !strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e })
		if (err == nil) != printable {
			t.Errorf("ValidateIdempotencyKey(%q): got %v, want ok=%v", key, err, printable)
		}
	})
}

func TestListImportValidate(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	ok := tollgate.ListImport{Source: "csl", Format: "csl", Digest: digest,
		Entities: []tollgate.Entity{{List: "EL", SourceID: "1", Name: "X"}, {List: "SDN", SourceID: "2"}, {List: "EL", SourceID: "3"}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got := ok.Counts(); got["EL"] != 2 || got["SDN"] != 1 || len(got) != 2 {
		t.Errorf("Counts: got %v, want EL 2, SDN 1", got)
	}
	for _, tc := range []struct {
		edit  func(li *tollgate.ListImport)
		field string
	}{
		{func(li *tollgate.ListImport) { li.Source = "" }, "source"},
		{func(li *tollgate.ListImport) { li.Format = "" }, "format"},
		{func(li *tollgate.ListImport) { li.Digest = strings.ToUpper(digest) }, "digest"},
		{func(li *tollgate.ListImport) { li.Problems = -1 }, "problems"},
		{func(li *tollgate.ListImport) { li.Entities[1].List = "" }, "entities[1].list"},
		{func(li *tollgate.ListImport) { li.Entities[2].Type = "ship" }, "entities[2].type"},
	} {
		li := ok
		li.Entities = append([]tollgate.Entity(nil), ok.Entities...)
		tc.edit(&li)
		if got := errField(li.Validate()); got != tc.field {
			t.Errorf("Validate: got field %q, want %q", got, tc.field)
		}
	}
}
