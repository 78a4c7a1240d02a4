package lists_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
)

func TestParseCSL(t *testing.T) {
	f, err := os.Open("testdata/csl.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := lists.ParseCSL(f)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if got, want := len(res.Entities), 7; got != want {
		t.Errorf("got %d entities, want %d", got, want)
	}
	if got, want := problemLines(res), []int{8, 9, 11, 12}; !reflect.DeepEqual(got, want) {
		t.Errorf("problem lines = %v, want %v (%v)", got, want, res.Problems)
	}
	t.Run("Individual", func(t *testing.T) {
		got := entityByID(t, res, "90001")
		want := tollgate.Entity{
			List: "SDN", SourceID: "90001", Name: "QASIMI, Darius Example",
			AltNames: []string{"QASEMI, Dariush", "QASIMI, D."}, Type: tollgate.EntityPerson,
			Addresses: []tollgate.Address{
				{Street: "12 Sample Street", City: "Tehran", Country: "IR"},
				{City: "Dubai", Country: "AE"},
			},
			Countries:  []string{"IR", "AE"},
			Programs:   []string{"SDGT", "IRAN"},
			BirthDates: []string{"1970-01-02", "1971"},
			Remarks:    "Title: Procurement Agent; IDs: IR, X123, Passport",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("EntityList", func(t *testing.T) {
		got := entityByID(t, res, "b1e2c3")
		want := tollgate.Entity{
			List: "EL", SourceID: "b1e2c3", Name: "Example Microelectronics Co., Ltd.",
			AltNames: []string{"Example Micro", "EMC"},
			Addresses: []tollgate.Address{{Street: "Room 101, No. 1 Test Road, Haidian District",
				City: "Beijing", PostalCode: "100000", Country: "CN"}},
			Countries: []string{"CN"}, Citation: "89 FR 12345", StartDate: "2024-02-01",
			LicenseRequirement: "For all items subject to the EAR.", LicensePolicy: "Presumption of denial.",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("Vessel", func(t *testing.T) {
		got := entityByID(t, res, "90002")
		if got.Type != tollgate.EntityVessel || !reflect.DeepEqual(got.Countries, []string{"KP"}) {
			t.Errorf("got type %q countries %v, want vessel [KP]", got.Type, got.Countries)
		}
	})
	t.Run("CleanedText", func(t *testing.T) {
		if got, want := entityByID(t, res, "d777").Name, "JOHN Q. SAMPLE"; got != want {
			t.Errorf("name = %q, want %q", got, want)
		}
		if got, want := entityByID(t, res, "c9d8").Remarks, "Multi-line remark"; got != want {
			t.Errorf("remarks = %q, want %q", got, want)
		}
		addr := entityByID(t, res, "d777").Addresses[0]
		if addr.State != "TX" || addr.PostalCode != "75000" || addr.Country != "US" {
			t.Errorf("address = %+v, want TX 75000 US", addr)
		}
	})
	t.Run("UnknownTypeKept", func(t *testing.T) {
		if got := entityByID(t, res, "90003"); got.Type != tollgate.EntityUnknown || got.List != "CAP" {
			t.Errorf("got %+v, want CAP with unknown type", got)
		}
	})
}

func TestParseCSLNotCSL(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"Empty", ""},
		{"NoSourceColumn", "name,aliases\nExample,\n"},
		{"OFAC", `36,"AEROCARIBBEAN",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lists.ParseCSL(strings.NewReader(tt.in))
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Errorf("ParseCSL error = %v, want an invalid error", err)
			}
		})
	}
}

// TestCSLRealFile checks the 2022-04 CSL snapshot against the per-list counts
// in regime.md §7b.
func TestCSLRealFile(t *testing.T) {
	res := mustLoad(t, testenv.DataFile(t, "lists/csl/consolidated-2022-04.csv.gz"))
	checkInvariants(t, res)
	want := map[string]int{
		"SDN": 10026, "EL": 2001, "DTC": 727, "DPL": 462, "SSI": 290, "UVL": 201, "ISN": 163,
		"PLC": 78, "MEU": 71, "CMIC": 68, "CAP": 53, "NS-MBS": 17, "FSE": 3,
	}
	if got := res.Counts(); !reflect.DeepEqual(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
	if got, want := len(res.Entities), 14160; got != want {
		t.Errorf("got %d entities, want %d", got, want)
	}
	if len(res.Problems) != 0 {
		t.Errorf("got %d problems, want none; first: %+v", len(res.Problems), res.Problems[0])
	}
	var huawei *tollgate.Entity
	for i := range res.Entities {
		if res.Entities[i].Name == "Beijing Huawei Digital Technologies Co., Ltd." {
			huawei = &res.Entities[i]
		}
	}
	if huawei == nil {
		t.Fatal("the Entity List's Beijing Huawei Digital Technologies Co., Ltd. is missing")
	}
	if huawei.List != "EL" || huawei.LicenseRequirement == "" || huawei.Citation == "" ||
		len(huawei.Countries) == 0 || huawei.Countries[0] != "CN" {
		t.Errorf("Huawei entry = %+v, want EL with license requirement, citation and country CN", *huawei)
	}
}

func FuzzParseCSL(f *testing.F) {
	f.Add(readFile(f, "testdata/csl.csv"))
	f.Add([]byte("_id,source,name,alt_names,addresses\n1,Entity List (EL) - Bureau of Industry and Security,Acme,\"A;B\",\"x, y, CN\"\n"))
	f.Add([]byte("_id,source,name\n\"unterminated,EL,x\n2,(SDN),y\n"))
	f.Add([]byte("\xef\xbb\xbf_id,source,name,type\n3,Capta List (CAP) - Treasury Department,\xff\xfe,Vessel\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := lists.ParseCSL(bytes.NewReader(data))
		if err != nil {
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		checkInvariants(t, res)
	})
}

func BenchmarkLoadCSL(b *testing.B) {
	path := testenv.DataFile(b, "lists/csl/consolidated-2022-04.csv.gz")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lists.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
