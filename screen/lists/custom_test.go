package lists_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"tollgate"
	"tollgate/screen/lists"
)

func TestParseCustom(t *testing.T) {
	res, err := lists.ParseCustom(bytes.NewReader(readFile(t, "testdata/custom.csv")))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if got, want := len(res.Entities), 3; got != want {
		t.Fatalf("got %d entities, want %d", got, want)
	}
	if got, want := problemLines(res), []int{4, 5, 5, 6, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("problem lines = %v, want %v (%v)", got, want, res.Problems)
	}
	want := tollgate.Entity{
		List: "INTERNAL", SourceID: "INT-1", Name: "Example Rogue Distributor",
		AltNames: []string{"Rogue Dist", "RD Trading"}, Type: tollgate.EntityOrganization,
		Countries: []string{"CN", "HK"}, Programs: []string{"internal-watch"},
		Citation: "89 FR 99999", Remarks: "Diverted GPUs in 2024",
	}
	if got := res.Entities[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := entityByID(t, res, "INT-2"); got.Type != tollgate.EntityPerson || !reflect.DeepEqual(got.Countries, []string{"RU"}) {
		t.Errorf("got %+v, want a person in RU", got)
	}
	derived := res.Entities[2]
	if derived.Name != "Misc Holdings" || len(derived.SourceID) != 16 || derived.Type != tollgate.EntityUnknown {
		t.Errorf("got %+v, want a derived id and an unknown type", derived)
	}
}

func TestParseCustomColumns(t *testing.T) {
	t.Run("AnyOrderAndSubset", func(t *testing.T) {
		res, err := lists.ParseCustom(strings.NewReader("country,Name\nIran,Example Co\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Entities[0]; got.Name != "Example Co" || got.Countries[0] != "IR" || got.SourceID == "" {
			t.Errorf("got %+v", got)
		}
	})
	for _, tt := range []struct{ name, in, want string }{
		{"Empty", "", "empty"},
		{"NoName", "aliases,type\nx,person\n", `no "name" column`},
		{"Unknown", "name,nmae\nx,y\n", `unknown column "nmae"`},
		{"Twice", "name,Name\nx,y\n", "twice"},
		{"GBK", "name,country\nOK Co,CN\n\xc3\xfb\xd7\xd6\xd3\xd0\xcf\xde\xb9\xab\xcb\xbe,CN\n", "line 3 is not UTF-8"},
		{"Windows1252", "name\nCaf\xe9 Trading\n", "line 2 is not UTF-8"},
		{"HeaderNotUTF8", "name,\xe9\n", "line 1 is not UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lists.ParseCustom(strings.NewReader(tt.in))
			if tollgate.ErrorCode(err) != tollgate.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseCustom error = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func FuzzParseCustom(f *testing.F) {
	f.Add(readFile(f, "testdata/custom.csv"))
	f.Add([]byte("name,aliases,type,country\nA,\"B;C\",vessel,\"Korea, North;kp\"\n"))
	f.Add([]byte("name,id\nA,1\nB,1\n\"C\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := lists.ParseCustom(bytes.NewReader(data))
		if err != nil {
			if tollgate.ErrorCode(err) != tollgate.EINVALID {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		checkInvariants(t, res)
		ids := map[string]bool{}
		for _, e := range res.Entities {
			if ids[e.SourceID] {
				t.Fatalf("duplicate id %q", e.SourceID)
			}
			ids[e.SourceID] = true
		}
	})
}
