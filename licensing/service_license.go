package licensing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"tollgate"
	"tollgate/store"
)

// LicenseView is a license as a reader sees it: the stored license with
// its usage, its status as of the store's now (exhausted and expired
// derived), what remains of each item, and the acknowledgments its
// conditions still await before the first shipment.
type LicenseView struct {
	store.StoredLicense
	CurrentStatus          tollgate.LicenseStatus  `json:"current_status"`
	Remaining              []Remaining             `json:"remaining"`
	PendingAcknowledgments []PendingAcknowledgment `json:"pending_acknowledgments,omitempty"`
}

// AcknowledgmentInput is an acknowledgment of a license condition by a
// party it binds: which condition, the party's role and id (for the
// applicant role, the holder's organization, which is the default), who
// signed for the party, and the signed document's SHA-256 when there is
// one. The caller records it.
type AcknowledgmentInput struct {
	ConditionID    string             `json:"condition_id"`
	Role           tollgate.PartyRole `json:"role"`
	PartyID        string             `json:"party_id,omitempty"`
	SignedBy       string             `json:"signed_by"`
	DocumentDigest string             `json:"document_digest,omitempty"`
}

// LicenseStatusInput changes a license's standing: suspended or revoked
// (with a reason), or active again after a suspension. Revocation is final.
type LicenseStatusInput struct {
	Status tollgate.LicenseStatus `json:"status"`
	Reason string                 `json:"reason"`
}

// Consumptions returns what the license's usage takes from it (reserved
// plus shipped), in the form RemainingOf reads.
func Consumptions(sl *store.StoredLicense) []Consumption {
	out := make([]Consumption, 0, len(sl.Usage))
	for _, u := range sl.Usage {
		out = append(out, Consumption{Product: u.Product, Units: u.UsedUnits(), ValueCents: u.UsedCents()})
	}
	return out
}

// NewLicenseView derives the view of sl as of asOf.
func NewLicenseView(sl *store.StoredLicense, asOf time.Time) (*LicenseView, error) {
	rem, err := RemainingOf(sl.License, Consumptions(sl))
	if err != nil {
		return nil, fmt.Errorf("licensing.NewLicenseView: %w", err)
	}
	return &LicenseView{
		StoredLicense:          *sl,
		CurrentStatus:          Status(sl.License, rem, asOf),
		Remaining:              rem,
		PendingAcknowledgments: UnacknowledgedConditions(sl.License),
	}, nil
}

// findLicense looks a license up by id or, for a well-formed license
// number, by number.
func findLicense(ctx context.Context, tx *store.Tx, key string, forUpdate bool) (*store.StoredLicense, error) {
	if ValidLicenseNumber(key) {
		sl, err := tx.LicenseByNumber(ctx, key)
		if err != nil || !forUpdate {
			return sl, err
		}
		key = sl.ID
	}
	if forUpdate {
		return tx.LicenseForUpdate(ctx, key)
	}
	return tx.License(ctx, key)
}

// License returns the license with id (or number) as the caller may see
// it; ENOTFOUND when it does not exist or lies outside the caller's reach.
func (s *Service) License(ctx context.Context, id string) (*LicenseView, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, fmt.Errorf("licensing.License: %w", err)
	}
	var v *LicenseView
	err = s.db.View(ctx, func(tx *store.Tx) error {
		sl, err := findLicense(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := s.checkLicense(p, PermLicenseRead, sl); err != nil {
			return err
		}
		v, err = NewLicenseView(sl, tx.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.License: %w", err)
	}
	return v, nil
}

// FindLicenses returns one page of the licenses matching f that the caller
// may read, oldest first, and the next page's cursor.
func (s *Service) FindLicenses(ctx context.Context, f store.LicenseFilter) ([]*LicenseView, string, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("licensing.FindLicenses: %w", err)
	}
	var (
		views []*LicenseView
		next  string
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		ls, n, err := tx.FindLicenses(ctx, f)
		if err != nil {
			return err
		}
		next, views = n, []*LicenseView{}
		for _, sl := range ls {
			if s.checkLicense(p, PermLicenseRead, sl) != nil {
				continue
			}
			v, err := NewLicenseView(sl, tx.Now())
			if err != nil {
				return err
			}
			views = append(views, v)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("licensing.FindLicenses: %w", err)
	}
	return views, next, nil
}

// Acknowledge records a bound party's acknowledgment of a license
// condition. The condition must bind in.Role and the license must name
// in.PartyID in that role; an acknowledgment made twice is ECONFLICT.
func (s *Service) Acknowledge(ctx context.Context, licenseID string, in AcknowledgmentInput) (*LicenseView, error) {
	v, err := s.changeLicense(ctx, licenseID, PermLicenseAcknowledge, func(tx *store.Tx, p *tollgate.Principal, sl *store.StoredLicense) (string, error) {
		i := slices.IndexFunc(sl.Conditions, func(c tollgate.Condition) bool { return c.ID == in.ConditionID })
		if i < 0 {
			return "", tollgate.FieldErrorf("condition_id", "license %s has no condition %q", sl.Number, in.ConditionID)
		}
		c := sl.Conditions[i]
		if !slices.Contains(c.Binds, in.Role) {
			return "", tollgate.FieldErrorf("role", "condition %s binds %s, not %q", c.ID, joinRoles(c.Binds), in.Role)
		}
		if in.PartyID == "" && in.Role == tollgate.RoleApplicant {
			in.PartyID = sl.HolderOrgID
		}
		if ids := sl.Parties.WithRole(in.Role); !slices.Contains(ids, in.PartyID) {
			return "", tollgate.FieldErrorf("party_id", "license %s names %s as %s, not %q", sl.Number, strings.Join(ids, ", "), in.Role, in.PartyID)
		}
		a := tollgate.Acknowledgment{Role: in.Role, PartyID: in.PartyID, SignedBy: strings.TrimSpace(in.SignedBy),
			DocumentDigest: in.DocumentDigest, RecordedBy: p.UserID, At: tx.Now()}
		return "license.acknowledge", tx.AddAcknowledgment(ctx, sl.ID, c.ID, a)
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.Acknowledge: %w", err)
	}
	return v, nil
}

// SetLicenseStatus suspends, revokes or reinstates a license for the
// issuing agency. A reason is required; a revoked license stays revoked.
func (s *Service) SetLicenseStatus(ctx context.Context, licenseID string, in LicenseStatusInput) (*LicenseView, error) {
	v, err := s.changeLicense(ctx, licenseID, PermLicenseWrite, func(tx *store.Tx, p *tollgate.Principal, sl *store.StoredLicense) (string, error) {
		switch {
		case in.Status != tollgate.LicenseActive && in.Status != tollgate.LicenseSuspended && in.Status != tollgate.LicenseRevoked:
			return "", tollgate.FieldErrorf("status", "must be suspended, revoked or active; got %q", in.Status)
		case strings.TrimSpace(in.Reason) == "":
			return "", tollgate.FieldErrorf("reason", "say why the status changes")
		case sl.Status == tollgate.LicenseRevoked:
			return "", tollgate.Errorf(tollgate.ECONFLICT, "license %s was revoked; revocation is final", sl.Number)
		case sl.Status == in.Status:
			return "", tollgate.Errorf(tollgate.ECONFLICT, "license %s is already %s", sl.Number, in.Status)
		}
		return "license.status." + string(in.Status), tx.SetLicenseStatus(ctx, sl.ID, in.Status, strings.TrimSpace(in.Reason))
	})
	if err != nil {
		return nil, fmt.Errorf("licensing.SetLicenseStatus: %w", err)
	}
	return v, nil
}

// changeLicense runs one change to a license in one transaction: lock it,
// authorize perm, apply change (which returns the audit action), reload,
// audit, and return the view.
func (s *Service) changeLicense(ctx context.Context, id, perm string,
	change func(tx *store.Tx, p *tollgate.Principal, sl *store.StoredLicense) (string, error)) (*LicenseView, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var v *LicenseView
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		sl, err := findLicense(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := s.checkLicense(p, perm, sl); err != nil {
			return err
		}
		action, err := change(tx, p, sl)
		if err != nil {
			return err
		}
		after, err := tx.License(ctx, sl.ID)
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, action, "license", sl.ID, &sl.License, &after.License); err != nil {
			return err
		}
		v, err = NewLicenseView(after, tx.Now())
		return err
	})
	return v, err
}

func joinRoles(roles []tollgate.PartyRole) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
