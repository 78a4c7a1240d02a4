package screen

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"

	"tollgate"
)

// savedEntities are testEntities with every entity field set on one of
// them, so that a round trip shows each field survives.
func savedEntities() []tollgate.Entity {
	es := testEntities()
	es[0].WeakAltNames = []string{"BHDT"}
	es[0].Addresses = []tollgate.Address{{Street: "1 Road", City: "Beijing", State: "BJ", PostalCode: "100000", Country: "CN"}, {}}
	es[0].Programs = []string{"EAR"}
	es[0].Citation = "84 FR 22963"
	es[0].LicenseRequirement = "For all items subject to the EAR."
	es[0].LicensePolicy = "Presumption of denial."
	es[0].StartDate = "2019-05-16"
	es[0].BirthDates = []string{}
	es[0].Remarks = "remarks"
	es[3].BirthDates = []string{"1950-03-21"}
	return es
}

// entityFields are the fields of tollgate.Entity that the saved index's
// encoding writes (encoder.entity); a field added to Entity must be added
// there and here.
var entityFields = []string{"List", "SourceID", "Name", "AltNames", "WeakAltNames", "Type", "Addresses",
	"Countries", "Programs", "Citation", "LicenseRequirement", "LicensePolicy", "StartDate", "BirthDates", "Remarks"}

func TestSavedIndexCoversEntity(t *testing.T) {
	var got []string
	for f := range reflect.TypeFor[tollgate.Entity]().Fields() {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, entityFields) {
		t.Fatalf("tollgate.Entity has fields %v; the saved index encodes %v: update encoder.entity and textDecoder.entity", got, entityFields)
	}
	var addr []string
	for f := range reflect.TypeFor[tollgate.Address]().Fields() {
		addr = append(addr, f.Name)
	}
	if want := []string{"Street", "City", "State", "PostalCode", "Country"}; !slices.Equal(addr, want) {
		t.Fatalf("tollgate.Address has fields %v, the saved index encodes %v", addr, want)
	}
}

// mustSave saves ix keyed by lists.
func mustSave(tb testing.TB, ix *Index, lists string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := ix.Save(&buf, lists); err != nil {
		tb.Fatalf("Save: %v", err)
	}
	return buf.Bytes()
}

func TestSavedIndexRoundTrip(t *testing.T) {
	ix := NewIndex(savedEntities(), DefaultConfig())
	data := mustSave(t, ix, "csl:abc")
	loaded, err := LoadIndex(bytes.NewReader(data), "csl:abc", DefaultConfig())
	if err != nil {
		t.Fatalf("LoadIndex: %v", err)
	}
	if !reflect.DeepEqual(loaded.entities, ix.entities) {
		t.Fatal("entities differ after a round trip")
	}
	if loaded.Len() != ix.Len() || loaded.Names() != ix.Names() {
		t.Fatalf("loaded %d entities, %d names; saved %d, %d", loaded.Len(), loaded.Names(), ix.Len(), ix.Names())
	}
	queries := []Query{
		{Name: "北京华为数字技术有限公司"}, {Name: "Huawei"}, {Name: "Sergey Lavrov", Type: tollgate.EntityPerson},
		{Name: "Концерн Калашников"}, {Name: "KIM SKO CHOL"}, {Name: "Mullah Omar"}, {Name: "김정은"},
		{Name: "奥萨马·本·拉登"}, {Name: "Anna Karenina"}, {Name: "Tarek ben Habib ben al Toumi al Maaroufi", Country: "TN"},
	}
	for _, q := range queries {
		want, got := ix.Screen(q, 5), loaded.Screen(q, 5)
		if len(got) != len(want) {
			t.Fatalf("%q: %d hits after loading, %d before", q.Name, len(got), len(want))
		}
		for i := range want {
			if got[i].Entity.SourceID != want[i].Entity.SourceID || got[i].Score != want[i].Score ||
				got[i].MatchedName != want[i].MatchedName || !reflect.DeepEqual(got[i].Explanation, want[i].Explanation) {
				t.Errorf("%q hit %d = %s %.4f %+v, want %s %.4f %+v", q.Name, i, got[i].Entity.SourceID, got[i].Score,
					got[i].Explanation, want[i].Entity.SourceID, want[i].Score, want[i].Explanation)
			}
		}
	}
	// Saving the loaded index gives the same bytes.
	if again := mustSave(t, loaded, "csl:abc"); !bytes.Equal(again, data) {
		t.Error("saving a loaded index gives different bytes")
	}
}

func TestSavedIndexRefused(t *testing.T) {
	data := mustSave(t, NewIndex(savedEntities(), DefaultConfig()), "csl:abc,un:def")
	flip := func(i int) []byte {
		b := slices.Clone(data)
		b[i] ^= 0x10
		return b
	}
	tests := []struct {
		name  string
		data  []byte
		lists string
	}{
		{"OtherLists", data, "csl:abc,un:123"},
		{"NoLists", data, ""},
		{"Truncated", data[:len(data)/2], "csl:abc,un:def"},
		{"Empty", nil, "csl:abc,un:def"},
		{"FlippedHeader", flip(3), "csl:abc,un:def"},
		{"FlippedBody", flip(len(data) / 2), "csl:abc,un:def"},
		{"FlippedChecksum", flip(len(data) - 1), "csl:abc,un:def"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := LoadIndex(bytes.NewReader(tt.data), tt.lists, DefaultConfig())
			if !errors.Is(err, ErrIndexMismatch) {
				t.Fatalf("LoadIndex = %v, %v; want ErrIndexMismatch", ix, err)
			}
		})
	}
}

func TestEngineVersionStable(t *testing.T) {
	if a, b := EngineVersion(), EngineVersion(); a == "" || a != b {
		t.Fatalf("EngineVersion = %q then %q", a, b)
	}
}

// FuzzLoadIndex checks that no file makes LoadIndex panic, and that a file
// it accepts can be queried.
func FuzzLoadIndex(f *testing.F) {
	data := mustSave(f, NewIndex(testEntities()[:4], DefaultConfig()), "k")
	f.Add(data)
	f.Add(data[:len(data)-7])
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, err := decodeIndexUnchecked(b)
		if err != nil {
			return
		}
		ix.Screen(Query{Name: "Huawei Lavrov"}, 3)
	})
}

// decodeIndexUnchecked decodes b after putting a valid checksum on it, so
// that the fuzzer reaches the decoder rather than the checksum.
func decodeIndexUnchecked(b []byte) (*Index, error) {
	if len(b) < 4 {
		return nil, ErrIndexMismatch
	}
	body := slices.Clone(b[:len(b)-4])
	return decodeIndex(appendChecksum(body), "k", DefaultConfig())
}
