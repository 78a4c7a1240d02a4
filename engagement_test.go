package tollgate

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestEngagementValidate(t *testing.T) {
	ok := func() Engagement {
		return Engagement{ExporterOrgID: "ex", EngagedOrgID: "lab", Kind: EngageTests, StartsOn: day(2026, 1, 1)}
	}
	tests := []struct {
		name  string
		edit  func(*Engagement)
		field string // "" for valid
	}{
		{"OK", func(*Engagement) {}, ""},
		{"OKOneDay", func(e *Engagement) { e.EndsOn = e.StartsOn }, ""},
		{"OKLimited", func(e *Engagement) { e.ApplicationIDs, e.Lots = []string{"app-1"}, []string{"LOT-A", "LOT-B"} }, ""},
		{"NoExporter", func(e *Engagement) { e.ExporterOrgID = "" }, "exporter_org_id"},
		{"NoEngaged", func(e *Engagement) { e.EngagedOrgID = "" }, "engaged_org_id"},
		{"Itself", func(e *Engagement) { e.EngagedOrgID = e.ExporterOrgID }, "engaged_org_id"},
		{"Kind", func(e *Engagement) { e.Kind = "audits" }, "kind"},
		{"NoStart", func(e *Engagement) { e.StartsOn = time.Time{} }, "starts_on"},
		{"StartTimeOfDay", func(e *Engagement) { e.StartsOn = e.StartsOn.Add(time.Hour) }, "starts_on"},
		{"StartNotUTC", func(e *Engagement) { e.StartsOn = e.StartsOn.In(time.FixedZone("X", 0)) }, "starts_on"},
		{"EndTimeOfDay", func(e *Engagement) { e.EndsOn = day(2026, 2, 1).Add(time.Minute) }, "ends_on"},
		{"EndBeforeStart", func(e *Engagement) { e.EndsOn = day(2025, 12, 31) }, "ends_on"},
		{"ApplicationsOnImports", func(e *Engagement) { e.Kind, e.ApplicationIDs = EngageImports, []string{"a"} }, "application_ids"},
		{"LotTwice", func(e *Engagement) { e.Lots = []string{"A", "B", "A"} }, "lots[2]"},
		{"LotControl", func(e *Engagement) { e.Lots = []string{"A\x1b[2J"} }, "lots[0]"},
		{"LotEmpty", func(e *Engagement) { e.Lots = []string{""} }, "lots[0]"},
		{"TooManyLots", func(e *Engagement) { e.Lots = make([]string, MaxEngagementScope+1) }, "lots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok()
			tt.edit(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			te, isErr := err.(*Error)
			if !isErr || te.Code != EINVALID || te.Field != tt.field {
				t.Fatalf("Validate: got %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestEngagementCovers(t *testing.T) {
	e := Engagement{ExporterOrgID: "ex", EngagedOrgID: "lab", Kind: EngageTests, StartsOn: day(2026, 1, 10), EndsOn: day(2026, 1, 20),
		ApplicationIDs: []string{"app-1"}, Lots: []string{"LOT-A"}}
	in := EngagementScope{ExporterOrgID: "ex", Kind: EngageTests, Day: day(2026, 1, 15), ApplicationID: "app-1", Lot: "LOT-A"}
	tests := []struct {
		name string
		edit func(*EngagementScope)
		want bool
	}{
		{"InForce", func(*EngagementScope) {}, true},
		{"FirstDay", func(w *EngagementScope) { w.Day = day(2026, 1, 10) }, true},
		{"LastDayEvening", func(w *EngagementScope) { w.Day = day(2026, 1, 20).Add(23*time.Hour + 59*time.Minute) }, true},
		{"LastDayElsewhere", func(w *EngagementScope) { w.Day = time.Date(2026, 1, 21, 5, 0, 0, 0, time.FixedZone("CST", 8*3600)) }, true},
		{"DayBefore", func(w *EngagementScope) { w.Day = day(2026, 1, 9) }, false},
		{"DayAfter", func(w *EngagementScope) { w.Day = day(2026, 1, 21) }, false},
		{"OtherExporter", func(w *EngagementScope) { w.ExporterOrgID = "other" }, false},
		{"OtherKind", func(w *EngagementScope) { w.Kind = EngageImports }, false},
		{"OtherApplication", func(w *EngagementScope) { w.ApplicationID = "app-2" }, false},
		{"NoApplication", func(w *EngagementScope) { w.ApplicationID = "" }, false},
		{"OtherLot", func(w *EngagementScope) { w.Lot = "LOT-B" }, false},
		{"BySerial", func(w *EngagementScope) { w.Lot = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := in
			tt.edit(&w)
			if got := e.Covers(w); got != tt.want {
				t.Errorf("Covers(%v): got %t, want %t", w, got, tt.want)
			}
		})
	}
	open := Engagement{ExporterOrgID: "ex", EngagedOrgID: "broker", Kind: EngageImports, StartsOn: day(2026, 1, 10)}
	if !open.Covers(EngagementScope{ExporterOrgID: "ex", Kind: EngageImports, Day: day(2030, 1, 1)}) {
		t.Error("an open-ended engagement without limits does not cover a later write by serial")
	}
}
