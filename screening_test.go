package tollgate_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"tollgate"
)

// hitFor returns a hit on listing (list, id) whose entry has the digest
// made from version.
func hitFor(list, id, version string, score float64) tollgate.Hit {
	e := tollgate.Entity{List: list, SourceID: id, Name: "Listed " + id, Remarks: version}
	return tollgate.Hit{List: list, SourceID: id, EntityDigest: e.Digest(), Name: e.Name, MatchedName: e.Name, Score: score}
}

func keys(hits []tollgate.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.List + "/" + h.SourceID
	}
	return out
}

func TestNormalizeHits(t *testing.T) {
	low := hitFor("EL", "1", "v1", 0.86)
	high := hitFor("EL", "1", "v1", 0.93)
	other := hitFor("SDN", "7", "v1", 0.93)
	third := hitFor("EL", "2", "v1", 0.99)
	low.Decision = &tollgate.HitDecision{Kind: tollgate.HitTrueMatch}
	got := tollgate.NormalizeHits([]tollgate.Hit{low, other, high, third})
	if want := []string{"EL/2", "EL/1", "SDN/7"}; !reflect.DeepEqual(keys(got), want) {
		t.Fatalf("NormalizeHits: got %v, want %v", keys(got), want)
	}
	if got[1].Score != 0.93 || got[1].Decision != nil {
		t.Errorf("kept hit: got score %v decision %v, want the best score and no decision", got[1].Score, got[1].Decision)
	}
	if got := tollgate.NormalizeHits(nil); len(got) != 0 {
		t.Errorf("NormalizeHits(nil): got %v", got)
	}
}

func TestDiffHits(t *testing.T) {
	a1, b1, c1 := hitFor("EL", "a", "v1", 0.9), hitFor("EL", "b", "v1", 0.9), hitFor("EL", "c", "v1", 0.9)
	b2, d1 := hitFor("EL", "b", "v2", 0.9), hitFor("UN", "d", "v1", 0.9)
	for _, tc := range []struct {
		name                 string
		prev, cur            []tollgate.Hit
		added, gone, changed []string
	}{
		{"First", nil, []tollgate.Hit{a1, b1}, []string{"EL/a", "EL/b"}, nil, nil},
		{"Same", []tollgate.Hit{a1, b1}, []tollgate.Hit{b1, a1}, nil, nil, nil},
		{"Everything", []tollgate.Hit{a1, b1, c1}, []tollgate.Hit{b2, d1, c1}, []string{"UN/d"}, []string{"EL/a"}, []string{"EL/b"}},
		{"AllGone", []tollgate.Hit{a1}, nil, nil, []string{"EL/a"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			added, gone, changed := tollgate.DiffHits(tc.prev, tc.cur)
			var changedKeys []string
			for _, c := range changed {
				if c.Before.EntityDigest == c.After.EntityDigest {
					t.Errorf("changed %s/%s has the same digest", c.After.List, c.After.SourceID)
				}
				changedKeys = append(changedKeys, c.After.List+"/"+c.After.SourceID)
			}
			if !eqKeys(keys(added), tc.added) || !eqKeys(keys(gone), tc.gone) || !eqKeys(changedKeys, tc.changed) {
				t.Errorf("DiffHits: got added %v gone %v changed %v; want %v %v %v",
					keys(added), keys(gone), changedKeys, tc.added, tc.gone, tc.changed)
			}
		})
	}
}

func eqKeys(got, want []string) bool { return strings.Join(got, ",") == strings.Join(want, ",") }

func TestDeriveScreeningStatus(t *testing.T) {
	fp := &tollgate.HitDecision{Kind: tollgate.HitFalsePositive}
	tm := &tollgate.HitDecision{Kind: tollgate.HitTrueMatch}
	with := func(d *tollgate.HitDecision) tollgate.Hit {
		h := hitFor("EL", "1", "v1", 0.9)
		h.Decision = d
		return h
	}
	for _, tc := range []struct {
		name string
		hits []tollgate.Hit
		want tollgate.ScreeningStatus
	}{
		{"NoHits", nil, tollgate.ScreeningClear},
		{"AllFalsePositive", []tollgate.Hit{with(fp), with(fp)}, tollgate.ScreeningClear},
		{"Undecided", []tollgate.Hit{with(fp), with(nil)}, tollgate.ScreeningPendingReview},
		{"TrueMatchWins", []tollgate.Hit{with(nil), with(tm), with(fp)}, tollgate.ScreeningBlocked},
	} {
		if got := tollgate.DeriveScreeningStatus(tc.hits); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestDecisionInForce(t *testing.T) {
	h := hitFor("EL", "1", "v1", 0.9)
	changed := hitFor("EL", "1", "v2", 0.9)
	t0 := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	old := &tollgate.HitDecision{ID: "a", List: "EL", SourceID: "1", EntityDigest: h.EntityDigest, Kind: tollgate.HitFalsePositive, DecidedAt: t0}
	later := &tollgate.HitDecision{ID: "b", List: "EL", SourceID: "1", EntityDigest: h.EntityDigest, Kind: tollgate.HitTrueMatch, DecidedAt: t0.Add(time.Hour)}
	other := &tollgate.HitDecision{ID: "c", List: "SDN", SourceID: "1", EntityDigest: h.EntityDigest, Kind: tollgate.HitFalsePositive, DecidedAt: t0.Add(2 * time.Hour)}
	ds := []*tollgate.HitDecision{later, other, old}
	if got := tollgate.DecisionInForce(&h, ds); got != later {
		t.Errorf("DecisionInForce: got %+v, want the later decision", got)
	}
	if got := tollgate.DecisionInForce(&changed, ds); got != nil {
		t.Errorf("DecisionInForce on a changed entry: got %+v, want none (the decision lapsed)", got)
	}
}

func TestScreeningValidate(t *testing.T) {
	good := hitFor("EL", "1", "v1", 0.9)
	good.Explanation = json.RawMessage(`{"tokens":[]}`)
	badExpl := good
	badExpl.Explanation = json.RawMessage(`{`)
	for _, tc := range []struct {
		name  string
		s     tollgate.Screening
		field string
	}{
		{"OK", tollgate.Screening{PartyID: "p", ListVersionIDs: []string{"v"}, Threshold: 0.85, Hits: []tollgate.Hit{good}}, ""},
		{"NoParty", tollgate.Screening{ListVersionIDs: []string{"v"}}, "party_id"},
		{"NoVersions", tollgate.Screening{PartyID: "p"}, "list_version_ids"},
		{"Threshold", tollgate.Screening{PartyID: "p", ListVersionIDs: []string{"v"}, Threshold: -0.1}, "threshold"},
		{"Explanation", tollgate.Screening{PartyID: "p", ListVersionIDs: []string{"v"}, Hits: []tollgate.Hit{good, badExpl}}, "hits[1].explanation"},
	} {
		if got := errField(tc.s.Validate()); got != tc.field {
			t.Errorf("%s: got field %q, want %q", tc.name, got, tc.field)
		}
	}
}

func TestHitDecisionValidate(t *testing.T) {
	ok := tollgate.HitDecision{PartyID: "p", List: "EL", SourceID: "1", EntityDigest: strings.Repeat("0", 64),
		Kind: tollgate.HitTrueMatch, DecidedBy: "analyst"}
	for _, tc := range []struct {
		edit  func(d *tollgate.HitDecision)
		field string
	}{
		{func(d *tollgate.HitDecision) {}, ""},
		{func(d *tollgate.HitDecision) { d.Kind = tollgate.HitFalsePositive }, "reason"},
		{func(d *tollgate.HitDecision) { d.Kind = "maybe" }, "kind"},
		{func(d *tollgate.HitDecision) { d.EntityDigest = "abc" }, "entity_digest"},
		{func(d *tollgate.HitDecision) { d.DecidedBy = "" }, "decided_by"},
	} {
		d := ok
		tc.edit(&d)
		if got := errField(d.Validate()); got != tc.field {
			t.Errorf("Validate: got field %q, want %q", got, tc.field)
		}
	}
}
