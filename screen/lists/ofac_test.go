package lists_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
)

func TestLoadOFAC(t *testing.T) {
	res := mustLoad(t, "testdata/ofac")
	checkInvariants(t, res)
	if got, want := len(res.Entities), 4; got != want {
		t.Errorf("got %d entities, want %d", got, want)
	}
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, fmt.Sprintf("%d %s", p.Line, strings.SplitN(p.Message, " ", 2)[0]))
	}
	wantMsgs := []string{
		"4 ent_num", "5 has", "6 duplicate", "7 ent_num", "8 ent_num", // sdn.csv
		"2 sdn_comments.csv:", // remarks for an unknown ent_num
		"5 add.csv:", "6 add.csv:", "4 alt.csv:", "5 alt.csv:",
	}
	if !reflect.DeepEqual(msgs, wantMsgs) {
		t.Errorf("problems = %q, want %q\n%v", msgs, wantMsgs, res.Problems)
	}
	t.Run("JoinedFiles", func(t *testing.T) {
		got := entityByID(t, res, "101")
		want := tollgate.Entity{
			List: "SDN", SourceID: "101", Name: "EXAMPLE TRADING LLC",
			AltNames:     []string{"EXAMPLE TRADING COMPANY", "OLD EXAMPLE TRADERS"},
			WeakAltNames: []string{"EXAMPLE TRADING"},
			Type:         tollgate.EntityOrganization,
			Addresses: []tollgate.Address{
				{Street: "1 Example Square", City: "Tehran", PostalCode: "12345", Country: "IR"},
				{City: "Dubai", Country: "AE"},
			},
			Countries: []string{"IR", "AE"},
			Programs:  []string{"IRAN", "NPWMD"},
			// sdn_comments.csv continues the remarks where sdn.csv cut them.
			Remarks: "Website example.test; a.k.a. 'EXAMPLE TRADING'; nationality Iran.",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("Remarks", func(t *testing.T) {
		got := entityByID(t, res, "102")
		if want := []string{"VANYA"}; !reflect.DeepEqual(got.WeakAltNames, want) {
			t.Errorf("weak aliases = %q, want %q", got.WeakAltNames, want)
		}
		if want := []string{"1961-03-05", "1962"}; !reflect.DeepEqual(got.BirthDates, want) {
			t.Errorf("birth dates = %q, want %q", got.BirthDates, want)
		}
		if want := []string{"CY", "RU"}; !reflect.DeepEqual(got.Countries, want) {
			t.Errorf("countries = %q, want %q", got.Countries, want)
		}
		if want := (tollgate.Address{Street: "5 Sample Lane", City: "Limassol", State: "Limassol District",
			PostalCode: "3035", Country: "CY"}); len(got.Addresses) != 1 || got.Addresses[0] != want {
			t.Errorf("addresses = %+v, want [%+v] (the all -0- address dropped)", got.Addresses, want)
		}
	})
	t.Run("Vessel", func(t *testing.T) {
		got := entityByID(t, res, "103")
		if got.Type != tollgate.EntityVessel || !reflect.DeepEqual(got.Countries, []string{"KP"}) ||
			!strings.Contains(got.Remarks, "Call sign: ABC123") {
			t.Errorf("got %+v, want a vessel flagged KP with its call sign", got)
		}
	})
}

func TestParseOFACSDNOnly(t *testing.T) {
	f, err := os.Open("testdata/ofac/sdn.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := lists.ParseOFAC(f, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if got := entityByID(t, res, "101"); got.AltNames != nil || got.Addresses != nil {
		t.Errorf("without add.csv and alt.csv, got aliases %q and addresses %v", got.AltNames, got.Addresses)
	}
	if got, want := entityByID(t, res, "102").WeakAltNames, []string{"VANYA"}; !reflect.DeepEqual(got, want) {
		t.Errorf("weak aliases from remarks = %q, want %q", got, want)
	}
	// A file named otherwise is never joined with side files beside it.
	other := filepath.Join(t.TempDir(), "sdn-2024.csv")
	copyFile(t, "testdata/ofac/sdn.csv", other)
	for _, side := range []string{"add.csv", "alt.csv"} {
		copyFile(t, "testdata/ofac/"+side, filepath.Join(filepath.Dir(other), side))
	}
	if got := entityByID(t, mustLoad(t, other), "101"); got.AltNames != nil {
		t.Errorf("sdn-2024.csv was joined with the alt.csv beside it: %q", got.AltNames)
	}
}

// TestOFACDigest checks that the digest is what
// `sha256sum sdn.csv add.csv alt.csv sdn_comments.csv | sha256sum` prints.
func TestOFACDigest(t *testing.T) {
	var manifest strings.Builder
	for _, name := range []string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"} {
		sum := sha256.Sum256(readFile(t, "testdata/ofac/"+name))
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	sum := sha256.Sum256([]byte(manifest.String()))
	if got, want := mustLoad(t, "testdata/ofac").Digest, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Digest = %s, want %s", got, want)
	}
	for _, path := range []string{"testdata/ofac/sdn.csv", "testdata/ofac"} {
		if got := mustLoad(t, path).Digest; got != hex.EncodeToString(sum[:]) {
			t.Errorf("Load(%s).Digest = %s, want the same digest for the file and its directory", path, got)
		}
	}
}

func TestParseOFACNotOFAC(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"Empty", ""},
		{"CSL", "_id,source,name\n1,x,y\n"},
		{"OnlyEOFMark", "\x1a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lists.ParseOFAC(strings.NewReader(tt.in), nil, nil)
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Errorf("ParseOFAC error = %v, want an invalid error", err)
			}
		})
	}
}

func TestOFACRealFiles(t *testing.T) {
	t.Run("2021-07", func(t *testing.T) {
		res := mustLoad(t, testenv.DataFile(t, "lists/ofac/2021-07"))
		checkInvariants(t, res)
		if got, want := len(res.Entities), 8976; got != want {
			t.Errorf("got %d entities, want %d", got, want)
		}
		if len(res.Problems) != 0 {
			t.Errorf("got %d problems, want none; first: %+v", len(res.Problems), res.Problems[0])
		}
		var aliases, addresses, weak int
		for _, e := range res.Entities {
			aliases += len(e.AltNames)
			addresses += len(e.Addresses)
			weak += len(e.WeakAltNames)
		}
		t.Logf("OFAC 2021-07: %d entities, %d aliases, %d weak aliases, %d addresses, %d problems",
			len(res.Entities), aliases, weak, addresses, len(res.Problems))
		// alt.csv has 11,910 rows and add.csv 13,837, some of them all "-0-".
		if aliases < 11000 || addresses < 11000 || weak < 2000 {
			t.Errorf("got %d aliases, %d addresses, %d weak aliases; want them attached", aliases, addresses, weak)
		}
		cuba := entityByID(t, res, "306")
		if !reflect.DeepEqual(cuba.AltNames, []string{"NATIONAL BANK OF CUBA"}) || len(cuba.Addresses) == 0 {
			t.Errorf("ent_num 306 = %+v, want its alias and addresses", cuba)
		}
		// ent_num 12300's remarks continue in sdn_comments.csv.
		if got := entityByID(t, res, "12300").Remarks; !strings.Contains(got, "PROMO RAIZ S.A.S.") {
			t.Errorf("ent_num 12300 remarks were not completed from sdn_comments.csv: ...%s", got[max(0, len(got)-200):])
		}
	})
	t.Run("2024-05-03", func(t *testing.T) {
		res := mustLoad(t, testenv.DataFile(t, "lists/ofac/2024-05-03/sdn.csv"))
		checkInvariants(t, res)
		if got, want := len(res.Entities), 14965; got != want {
			t.Errorf("got %d entities, want %d", got, want)
		}
		if len(res.Problems) != 0 {
			t.Errorf("got %d problems, want none; first: %+v", len(res.Problems), res.Problems[0])
		}
		types := map[tollgate.EntityType]int{}
		for _, e := range res.Entities {
			types[e.Type]++
		}
		want := map[tollgate.EntityType]int{"person": 6854, "organization": 6884, "vessel": 851, "aircraft": 376}
		if !reflect.DeepEqual(types, want) {
			t.Errorf("types = %v, want %v", types, want)
		}
	})
}

func FuzzParseOFAC(f *testing.F) {
	f.Add(readFile(f, "testdata/ofac/sdn.csv"), readFile(f, "testdata/ofac/add.csv"), readFile(f, "testdata/ofac/alt.csv"))
	f.Add([]byte(`1,"A",-0- ,"X] [Y",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"nationality Iran; DOB 1 Jan 1970; a.k.a. 'B'"`),
		[]byte(`1,2,"s","c, s 1","Korea, North",-0-`), []byte(`1,3,"aka","C",-0-`))
	f.Add([]byte("1,\"unterminated\n"), []byte(""), []byte("\x1a"))
	f.Fuzz(func(t *testing.T, sdn, add, alt []byte) {
		var addR, altR io.Reader
		if len(add) > 0 {
			addR = bytes.NewReader(add)
		}
		if len(alt) > 0 {
			altR = bytes.NewReader(alt)
		}
		res, err := lists.ParseOFAC(bytes.NewReader(sdn), addR, altR)
		if err != nil {
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		checkInvariants(t, res)
	})
}

func BenchmarkLoadOFAC2024(b *testing.B) {
	path := testenv.DataFile(b, "lists/ofac/2024-05-03/sdn.csv")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lists.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadOFAC2021(b *testing.B) {
	path := testenv.DataFile(b, "lists/ofac/2021-07")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lists.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseOFACByteOrderMark(t *testing.T) {
	in := "\xef\xbb\xbf" + `7,"BOM CO",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n"
	res, err := lists.ParseOFAC(strings.NewReader(in), nil, nil)
	if err != nil || len(res.Entities) != 1 || res.Entities[0].SourceID != "7" {
		t.Fatalf("ParseOFAC with a byte-order mark = %+v, %v; want ent_num 7", res, err)
	}
	sum := sha256.Sum256([]byte(in))
	manifest := sha256.Sum256([]byte(hex.EncodeToString(sum[:]) + "  sdn.csv\n"))
	if got, want := res.Digest, hex.EncodeToString(manifest[:]); got != want {
		t.Errorf("Digest = %s, want %s (the mark included)", got, want)
	}
}
