package auditlog_test

import (
	"slices"
	"testing"
	"time"

	"tollgate/auditlog"
)

func TestPastRetention(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	rec := func(seq int64, typ, id string, at time.Time) auditlog.Record {
		return auditlog.Record{Seq: seq, Time: at, Action: typ + ".update", ObjectType: typ, ObjectID: id}
	}
	recs := []auditlog.Record{
		rec(0, "export", "E1", day(2019, 1, 10)),  // E1 ends 2020-03-01 (given)
		rec(1, "export", "E1", day(2019, 6, 1)),   //
		rec(2, "license", "D1", day(2019, 2, 1)),  // D1 still open (zero end)
		rec(3, "party", "P1", day(2019, 3, 1)),    // P1 ends with its last record, 2021-07-01
		rec(4, "session", "", day(2019, 4, 1)),    // no object: ends with itself
		rec(5, "party", "P1", day(2021, 7, 1)),    //
		rec(6, "session", "", day(2021, 4, 1)),    // too recent
		rec(7, "export", "E2", day(2020, 12, 31)), // ends 2020-12-31
	}
	ends := map[auditlog.ObjectKey]time.Time{
		{Type: "export", ID: "E1"}:  day(2020, 3, 1),
		{Type: "license", ID: "D1"}: {},
	}
	tests := []struct {
		name string
		asOf time.Time
		want []int64
	}{
		{"Before", day(2024, 1, 1), nil},
		{"E1Boundary", day(2025, 3, 1), []int64{0, 1, 4}},
		{"DayBefore", day(2025, 2, 28), []int64{4}},
		{"Later", day(2026, 1, 1), []int64{0, 1, 4, 7}},
		{"MuchLater", day(2040, 1, 1), []int64{0, 1, 3, 4, 5, 6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, r := range auditlog.PastRetention(recs, ends, tt.asOf) {
				got = append(got, r.Seq)
				if r.KeepUntil != r.End.AddDate(5, 0, 0) || tt.asOf.Before(r.KeepUntil) {
					t.Fatalf("record %d: end %v, keep until %v, as of %v", r.Seq, r.End, r.KeepUntil, tt.asOf)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
