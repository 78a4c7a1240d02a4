package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"tollgate"
)

// TestHostileBody sends party bodies that encoding/json alone would take,
// or would take after quietly changing them: each is refused with 400 and
// a problem naming the field, and no party is left behind.
func TestHostileBody(t *testing.T) {
	env := newTestEnv(t)
	org := env.createOrg("Hostile Input Exporter")
	officer := env.member(org.ID, tollgate.RoleExporterOfficer)
	party := func(members string) string {
		return `{"org_id":"` + org.ID + `","role":"end_user",` + members + `}`
	}
	tests := []struct {
		name, body, field string
	}{
		{"ErrDuplicateKey", party(`"legal_name":"Acme Ltd","legal_name":"Other Ltd","country":"CN"`), "legal_name"},
		{"ErrDuplicateNestedKey", party(`"legal_name":"Acme Ltd","country":"CN","addresses":[{"city":"A","city":"B"}]`), "addresses[0].city"},
		{"ErrCaseVariantField", `{"ORG_ID":"` + org.ID + `","role":"end_user","legal_name":"Acme Ltd","country":"CN"}`, "ORG_ID"},
		{"ErrCaseVariantNested", party(`"legal_name":"Acme Ltd","country":"CN","addresses":[{"City":"A"}]`), "addresses[0].City"},
		{"ErrNUL", party(`"legal_name":"Acme\u0000Ltd","country":"CN"`), "legal_name"},
		{"ErrBEL", party(`"legal_name":"Acme\u0007Ltd","country":"CN"`), "legal_name"},
		{"ErrESC", party(`"legal_name":"\u001b[2J\u001b[31mAcme","country":"CN"`), "legal_name"},
		{"ErrC1", party(`"legal_name":"Acme Ltd","other_names":["A","B\u009b31m"],"country":"CN"`), "other_names[1]"},
		{"ErrNewlineInName", party(`"legal_name":"Acme\nLtd","country":"CN"`), "legal_name"},
		{"ErrLoneSurrogate", party(`"legal_name":"Acme \ud800 Ltd","country":"CN"`), "legal_name"},
		{"ErrLowSurrogate", party(`"legal_name":"Acme \udc00","country":"CN"`), "legal_name"},
		{"ErrInvalidUTF8", party(`"legal_name":"Acme ` + "\xff\xfe" + ` Ltd","country":"CN"`), "legal_name"},
		{"ErrInvisibleName", party(`"legal_name":"\u200b\u200d\u2060\ufeff","country":"CN"`), "legal_name"},
		{"ErrHangulFillerName", party(`"legal_name":"\u3164\u3164","country":"CN"`), "legal_name"},
		{"ErrUnassignedCountry", party(`"legal_name":"Acme Ltd","country":"ZZ"`), "country"},
		{"ErrUnassignedAddressCountry", party(`"legal_name":"Acme Ltd","country":"CN","addresses":[{"country":"XX"}]`), "addresses[0].country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.problem(request{method: "POST", path: "/v1/parties", body: tt.body, as: officer}, http.StatusBadRequest)
			if p.Field != tt.field || p.Code != tollgate.EINVALID {
				t.Errorf("problem: got field %q (%s: %s), want field %q", p.Field, p.Code, p.Detail, tt.field)
			}
		})
	}
	t.Run("NothingLeftBehind", func(t *testing.T) {
		page := must[Page[tollgate.Party]](env, request{method: "GET", path: "/v1/parties?org_id=" + org.ID, as: officer}, http.StatusOK)
		if len(page.Items) != 0 {
			t.Errorf("%d parties stored from refused bodies", len(page.Items))
		}
	})
	t.Run("OK", func(t *testing.T) {
		must[tollgate.Party](env, request{method: "POST", path: "/v1/parties", as: officer,
			body: party(`"legal_name":"Acme \u00dcbersee Ltd","country":"XK","addresses":[{"street":"1 Main St","country":"CN"}]`)}, http.StatusCreated)
	})
}

// TestListContentIsRaw checks that a list file sent inline keeps its own
// control characters: the text rules are for fields, not for files.
func TestListContentIsRaw(t *testing.T) {
	got := checkStrictJSON([]byte(`{"file_name":"sdn.csv","content":"a,b\r\n\u001a"}`), reflect.TypeFor[ListImportInput]())
	if got != nil {
		t.Errorf("list content with an end-of-file mark: %v, want accepted", got)
	}
	got = checkStrictJSON([]byte(`{"file_name":"sdn\u001b.csv","content":"a"}`), reflect.TypeFor[ListImportInput]())
	if p := problemFor(got); p.Field != "file_name" {
		t.Errorf("a control character in the file name: %v, want refused naming file_name", got)
	}
}

// FuzzStrictJSON checks that the strict pass never panics and that a body
// it accepts decodes to strings that are all text.
func FuzzStrictJSON(f *testing.F) {
	for _, s := range []string{`{"org_id":"x","legal_name":"A"}`, `{"a":1,"a":2}`, `{"ORG_ID":"x"}`, `{"legal_name":"\ud800"}`,
		`{"other_names":["a","\u001b"]}`, `{"addresses":[{"city":"x","city":"y"}]}`, `[1,{"a":[]}]`, "{\"legal_name\":\"\xff\"}", `"\u0000"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if checkStrictJSON(body, reflect.TypeFor[PartyInput]()) != nil {
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		if dec.Decode(&v) != nil {
			return
		}
		var walk func(v any, path string)
		walk = func(v any, path string) {
			switch v := v.(type) {
			case string:
				if err := tollgate.CheckText(path, v); err != nil {
					t.Fatalf("accepted %q, which decodes to a string that is not text: %v", body, err)
				}
			case []any:
				for i, e := range v {
					walk(e, fmt.Sprintf("%s[%d]", path, i))
				}
			case map[string]any:
				for k, e := range v {
					walk(e, strings.TrimPrefix(path+"."+k, "."))
				}
			}
		}
		walk(v, "")
	})
}

// BenchmarkCheckStrictJSON measures the strict pass over a party body and
// over an inline list file of 1 MiB (one raw string).
func BenchmarkCheckStrictJSON(b *testing.B) {
	party := []byte(`{"org_id":"0192f1e2-0000-7000-8000-000000000000","role":"end_user","type":"organization",` +
		`"legal_name":"Shady Chips Trading Ltd","other_names":["影子芯片贸易有限公司","Shady Chips"],` +
		`"addresses":[{"street":"1 Harbour Rd","city":"Hong Kong","country":"HK"}],"country":"HK",` +
		`"identifiers":[{"type":"lei","value":"5493001KJTIIGC8Y1R12"}]}`)
	list, _ := json.Marshal(ListImportInput{FileName: "sdn.csv", Content: strings.Repeat("36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n", 1<<20/40)})
	for _, bc := range []struct {
		name string
		body []byte
		typ  reflect.Type
	}{{"Party", party, reflect.TypeFor[PartyInput]()}, {"ListFile1MiB", list, reflect.TypeFor[ListImportInput]()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if err := checkStrictJSON(bc.body, bc.typ); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
