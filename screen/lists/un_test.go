package lists_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
)

func TestParseUN(t *testing.T) {
	res, err := lists.ParseUN(bytes.NewReader(readFile(t, "testdata/un.xml")))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if got, want := res.Published, time.Date(2025, 1, 15, 10, 20, 30, 5e8, time.UTC); !got.Equal(want) {
		t.Errorf("Published = %v, want %v", got, want)
	}
	if got, want := problemLines(res), []int{27}; !reflect.DeepEqual(got, want) {
		t.Errorf("problem lines = %v, want %v (%v)", got, want, res.Problems)
	}
	t.Run("Individual", func(t *testing.T) {
		got := entityByID(t, res, "QDi.900")
		want := tollgate.Entity{
			List: "UN", SourceID: "QDi.900", Name: "OMAR EXAMPLE AL-SAMPLE",
			AltNames:     []string{"Omar Exemplar", "عمر مثال"},
			WeakAltNames: []string{"Abu Test"},
			Type:         tollgate.EntityPerson,
			Addresses: []tollgate.Address{
				{City: "Aleppo", Country: "SY"},
				{Street: "1 Rue Exemple", City: "Tunis", PostalCode: "1000", Country: "TN"},
			},
			Countries:  []string{"SY", "TN"},
			Programs:   []string{"Al-Qaida"},
			StartDate:  "2010-05-06",
			BirthDates: []string{"1975-04-03", "1973 to 1976"},
			Remarks:    "A made-up record for tests.; Designation: Financier",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("Entity", func(t *testing.T) {
		got := entityByID(t, res, "KPe.900")
		if got.Type != tollgate.EntityOrganization || !reflect.DeepEqual(got.AltNames, []string{"Example Front Co.", "Old Front"}) ||
			!reflect.DeepEqual(got.Countries, []string{"KP"}) {
			t.Errorf("got %+v, want an organization with two aliases in KP", got)
		}
	})
}

func TestParseUNErrors(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"Empty", ""},
		{"Text", "hello"},
		{"OtherRoot", `<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>`},
		{"Broken", "<CONSOLIDATED_LIST"},
		{"UnknownCharset", `<?xml version="1.0" encoding="EBCDIC"?><CONSOLIDATED_LIST/>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lists.ParseUN(strings.NewReader(tt.in))
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Errorf("ParseUN error = %v, want an invalid error", err)
			}
		})
	}
}

func TestParseUNTruncated(t *testing.T) {
	data := readFile(t, "testdata/un.xml")
	cut := bytes.Index(data, []byte("<ENTITY>")) + 30
	res, err := lists.ParseUN(bytes.NewReader(data[:cut]))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Entities); got != 1 {
		t.Errorf("got %d entities, want the 1 before the cut", got)
	}
	if n := len(res.Problems); n != 2 || !strings.Contains(res.Problems[1].Message, "not read") {
		t.Errorf("problems = %v, want the nameless record and the cut reported", res.Problems)
	}
}

func TestParseUNLatin1(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>" +
		"<FIRST_NAME>Jos\xe9</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
	res, err := lists.ParseUN(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Entities[0].Name, "José"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
}

func TestUNRealFile(t *testing.T) {
	res := mustLoad(t, testenv.DataFile(t, "lists/un/consolidated-2026-02-27.xml"))
	checkInvariants(t, res)
	types := map[tollgate.EntityType]int{}
	for _, e := range res.Entities {
		types[e.Type]++
	}
	want := map[tollgate.EntityType]int{tollgate.EntityPerson: 730, tollgate.EntityOrganization: 273}
	if !reflect.DeepEqual(types, want) {
		t.Errorf("types = %v, want %v", types, want)
	}
	if len(res.Problems) != 0 {
		t.Errorf("got %d problems, want none; first: %+v", len(res.Problems), res.Problems[0])
	}
	if got, want := res.Published.Format(time.DateOnly), "2026-02-27"; got != want {
		t.Errorf("Published = %s, want %s", got, want)
	}
	var original, weak int
	for _, e := range res.Entities {
		weak += len(e.WeakAltNames)
		for _, n := range e.AltNames {
			if strings.ContainsFunc(n, func(r rune) bool { return r >= 0x600 && r <= 0x6FF }) {
				original++
			}
		}
	}
	if original < 300 || weak < 500 {
		t.Errorf("got %d Arabic-script names and %d weak aliases; want the original-script names and Low aliases kept", original, weak)
	}
}

func FuzzParseUN(f *testing.F) {
	f.Add(readFile(f, "testdata/un.xml"))
	f.Add([]byte(`<CONSOLIDATED_LIST dateGenerated="x"><ENTITIES><ENTITY><FIRST_NAME>A</FIRST_NAME><DATAID>1</DATAID></ENTITY></ENTITIES></CONSOLIDATED_LIST>`))
	f.Add([]byte(`<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&bad;</FIRST_NAME>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := lists.ParseUN(bytes.NewReader(data))
		if err != nil {
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		checkInvariants(t, res)
	})
}

func BenchmarkLoadUN(b *testing.B) {
	path := testenv.DataFile(b, "lists/un/consolidated-2026-02-27.xml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lists.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
