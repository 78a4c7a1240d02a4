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

func TestParseDPL(t *testing.T) {
	res, err := lists.ParseDPL(bytes.NewReader(readFile(t, "testdata/dpl.txt")))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if got, want := len(res.Entities), 3; got != want {
		t.Fatalf("got %d entities, want %d: %+v", got, want, res.Entities)
	}
	if got, want := problemLines(res), []int{5, 6, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("problem lines = %v, want %v (%v)", got, want, res.Problems)
	}
	if got, want := res.Published, time.Date(2022, 6, 10, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Published = %v, want %v", got, want)
	}
	t.Run("RowsOfOneOrder", func(t *testing.T) {
		got := res.Entities[0]
		want := tollgate.Entity{
			List: "DPL", SourceID: got.SourceID, Name: "EXAMPLE EXPORTS LTD",
			Addresses: []tollgate.Address{
				{Street: "UNIT 5, 10 SAMPLE ROAD", City: "DUBAI", Country: "AE"},
				{Street: "P.O. BOX 1234", City: "AMMAN", PostalCode: "11118", Country: "JO"},
			},
			Countries: []string{"AE", "JO"},
			Citation:  "86 F.R. 10000 3/20/2021",
			StartDate: "2021-03-15",
			Remarks:   "Expires: 2031-03-15",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
		if len(got.SourceID) != 16 {
			t.Errorf("SourceID = %q, want a 16-hex-digit id", got.SourceID)
		}
	})
	t.Run("USAddressWithoutCountry", func(t *testing.T) {
		got := res.Entities[1]
		if !reflect.DeepEqual(got.Countries, []string{"US"}) || got.Remarks != "non-standard order; Expires: 2032-06-01" {
			t.Errorf("got %+v, want a US address and a non-standard order", got)
		}
	})
	t.Run("BadDateKept", func(t *testing.T) {
		got := res.Entities[2]
		if got.StartDate != "13/45/2019" || got.SourceID == res.Entities[1].SourceID {
			t.Errorf("got %+v, want the raw date kept and an id of its own", got)
		}
	})
}

func TestParseDPLNotDPL(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"Empty", ""},
		{"OtherTSV", "a\tb\n1\t2\n"},
		{"CSV", "name,aliases\nx,y\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lists.ParseDPL(strings.NewReader(tt.in))
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Errorf("ParseDPL error = %v, want an invalid error", err)
			}
		})
	}
}

func TestDPLRealFile(t *testing.T) {
	res := mustLoad(t, testenv.DataFile(t, "lists/bis-dpl/dpl-2022-09.txt"))
	checkInvariants(t, res)
	// 581 rows, one per address, of 461 orders.
	if got, want := len(res.Entities), 461; got != want {
		t.Errorf("got %d entities, want %d", got, want)
	}
	if len(res.Problems) != 0 {
		t.Errorf("got %d problems, want none; first: %+v", len(res.Problems), res.Problems[0])
	}
	var addresses, cited int
	ids := map[string]bool{}
	for _, e := range res.Entities {
		addresses += len(e.Addresses)
		if e.Citation != "" && e.StartDate != "" {
			cited++
		}
		ids[e.SourceID] = true
	}
	// One order (WEI SUN, added 2022-09-02) has no FR_Citation yet.
	if addresses != 581 || cited != len(res.Entities)-1 || len(ids) != len(res.Entities) {
		t.Errorf("got %d addresses, %d entities with citation and date, %d distinct ids; want 581, all but one, all",
			addresses, cited, len(ids))
	}
}

func FuzzParseDPL(f *testing.F) {
	f.Add(readFile(f, "testdata/dpl.txt"))
	f.Add([]byte("Name\tCountry\tFR_Citation\n\"A \"quoted\" name\"\tPRC\t1 F.R. 2\n"))
	f.Add([]byte("\"Name\"\t\"Effective_Date\"\n\"X\"\t\"99/99/9999\"\n\"X\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := lists.ParseDPL(bytes.NewReader(data))
		if err != nil {
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		checkInvariants(t, res)
	})
}

func BenchmarkLoadDPL(b *testing.B) {
	path := testenv.DataFile(b, "lists/bis-dpl/dpl-2022-09.txt")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lists.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
