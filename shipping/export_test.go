package shipping

import (
	"testing"
	"time"

	"tollgate"
)

func TestShip(t *testing.T) {
	res := validReservation()
	tests := []struct {
		name       string
		res        func() tollgate.Export
		reference  string
		exportedOn time.Time
		now        time.Time
		code       string
		part       string
	}{
		{"OK", validReservation, "X20260302123456", day("2026-03-02"), t0.Add(time.Hour), "", ""},
		{"OK/NextDay", validReservation, "X20260303000001", day("2026-03-03"), t0.Add(23 * time.Hour), "", ""},
		{"ErrExpired", validReservation, "X1", day("2026-03-03"), res.ExpiresAt, tollgate.ECONFLICT, "expired at 2026-03-03T09:00:00Z"},
		{"ErrNotReserved", func() tollgate.Export { e := validReservation(); e.State = tollgate.ExportVoided; return e },
			"X1", day("2026-03-02"), t0, tollgate.ECONFLICT, "it is voided"},
		{"ErrNoReference", validReservation, " ", day("2026-03-02"), t0, tollgate.EINVALID, "filing_reference"},
		{"ErrNoDate", validReservation, "X1", time.Time{}, t0, tollgate.EINVALID, "exported_on"},
		{"ErrFutureDate", validReservation, "X1", day("2026-03-04"), t0, tollgate.EINVALID, "in the future"},
		{"ErrBeforeReservation", validReservation, "X1", day("2026-03-01"), t0, tollgate.EINVALID, "precedes the reservation"},
		// Every shipment is reviewed, at most 30 days before it leaves.
		{"OK/ReviewThirtyDaysBefore", func() tollgate.Export { e := validReservation(); e.ReviewedAt = day("2026-01-31"); return e },
			"X1", day("2026-03-02"), t0, "", ""},
		{"ErrReviewTooOld", func() tollgate.Export {
			e := validReservation()
			e.ReviewedAt = day("2026-01-30").Add(23 * time.Hour)
			return e
		},
			"X1", day("2026-03-02"), t0, tollgate.EPRECONDITION, "tested on 2026-01-30, 31 days before the shipment on 2026-03-02; the licensing agency allows at most 30 days"},
		{"ErrNoReview", func() tollgate.Export {
			e := validReservation()
			e.LabReportID, e.ReviewedAt = "", time.Time{}
			return e
		},
			"X1", day("2026-03-02"), t0, tollgate.EPRECONDITION, "names no lab review of its units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Ship(tt.res(), tt.reference, tt.exportedOn, "u-1", tt.now, DefaultReviewRules())
			if tt.code != "" {
				wantError(t, err, tt.code, tt.part)
				return
			}
			if err != nil {
				t.Fatalf("Ship() = %v", err)
			}
			if got.State != tollgate.ExportShipped || got.FilingReference != tt.reference || !got.ExportedOn.Equal(tt.exportedOn) || !Holds(got, tt.now.Add(1000*time.Hour)) {
				t.Errorf("Ship() = %+v; want shipped, holding for good", got)
			}
		})
	}
}

func TestVoidAndExpire(t *testing.T) {
	res := validReservation()
	voided, err := Void(res, "customer postponed", "u-1", t0.Add(time.Hour))
	if err != nil || voided.State != tollgate.ExportVoided || Holds(voided, t0.Add(time.Hour)) {
		t.Fatalf("Void() = %+v, %v; want voided, holding nothing", voided, err)
	}
	wantError(t, func() error { _, err := Void(voided, "again", "u-1", t0); return err }(), tollgate.ECONFLICT, "it is voided")
	wantError(t, func() error { _, err := Void(res, "", "u-1", t0); return err }(), tollgate.EINVALID, "void_reason")
	wantError(t, func() error { _, err := Void(res, "late", "u-1", res.ExpiresAt); return err }(), tollgate.ECONFLICT, "expired")

	if Expired(res, res.ExpiresAt.Add(-time.Nanosecond)) || !Expired(res, res.ExpiresAt) {
		t.Errorf("Expired: want false just before ExpiresAt and true at it")
	}
	wantError(t, func() error { _, err := Expire(res, t0); return err }(), tollgate.ECONFLICT, "expires at")
	expired, err := Expire(res, res.ExpiresAt.Add(time.Minute))
	if err != nil || expired.State != tollgate.ExportExpired || !expired.ReleasedAt.Equal(res.ExpiresAt) || !Expired(expired, t0) {
		t.Fatalf("Expire() = %+v, %v; want expired, released at ExpiresAt", expired, err)
	}
	if err := expired.Validate(); err != nil {
		t.Errorf("expired export does not validate: %v", err)
	}
	wantError(t, func() error { _, err := Expire(expired, res.ExpiresAt); return err }(), tollgate.ECONFLICT, "not reserved")
	if Holds(expired, t0) {
		t.Errorf("an expired export holds")
	}
}
