package auditlog

import "time"

// RetentionYears is how long export records must be kept: five years from
// the latest of the export, any known reexport or diversion, or other end
// of the transaction (15 CFR 762.6).
const RetentionYears = 5

// An ObjectKey names an object of the log: a record's ObjectType and
// ObjectID.
type ObjectKey struct {
	Type string
	ID   string
}

// A Retained is a record that is past its retention period: tollgate never
// deletes it, but the retention report lists it.
type Retained struct {
	Seq        int64     `json:"seq"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id,omitempty"`
	Action     string    `json:"action"`
	Time       time.Time `json:"time"`
	// End is the end of the record's transaction, from which the
	// retention period runs.
	End time.Time `json:"end"`
	// KeepUntil is End plus RetentionYears; the record is past retention
	// from this instant on.
	KeepUntil time.Time `json:"keep_until"`
}

// PastRetention returns the records of recs that are past RetentionYears
// as of asOf, in the order given.
//
// A record's retention runs from the end of its object's transaction. ends
// gives that end for objects whose transaction the caller knows: a zero
// time means the transaction is still open (a live license, an export not
// yet shipped), so none of the object's records expire. For an object not
// in ends, the transaction is taken to end with the object's last record in
// recs; a record naming no object (an empty ObjectID) ends with itself.
func PastRetention(recs []Record, ends map[ObjectKey]time.Time, asOf time.Time) []Retained {
	last := make(map[ObjectKey]time.Time)
	for _, r := range recs {
		k := ObjectKey{r.ObjectType, r.ObjectID}
		if r.ObjectID != "" && r.Time.After(last[k]) {
			last[k] = r.Time
		}
	}
	var out []Retained
	for _, r := range recs {
		k := ObjectKey{r.ObjectType, r.ObjectID}
		end, known := ends[k]
		switch {
		case known && end.IsZero():
			continue // open transaction
		case known:
		case r.ObjectID == "":
			end = r.Time
		default:
			end = last[k]
		}
		keep := end.AddDate(RetentionYears, 0, 0)
		if asOf.Before(keep) {
			continue
		}
		out = append(out, Retained{
			Seq: r.Seq, ObjectType: r.ObjectType, ObjectID: r.ObjectID, Action: r.Action,
			Time: r.Time.UTC(), End: end.UTC(), KeepUntil: keep.UTC(),
		})
	}
	return out
}
