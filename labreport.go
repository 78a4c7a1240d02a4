package tollgate

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// MaxToleranceBP bounds the tolerance a lab report may state (50%). The
// tolerance that counts is the licensing agency's (package shipping's
// ReviewRules, tightened by a license condition); this bound only keeps
// malformed reports out.
const MaxToleranceBP = 5000

// LabReport is a US third-party lab's review of specific units before export
// (the sixth certification of the H200 rule, regime.md §3): what its
// technician measured, how, with what tolerance, and whether the units stay
// within the figures stated in the license application. Package shipping
// judges the measurements (MeasuredTPP, the Spec figures, Pass, Findings)
// and defines the canonical bytes the lab signs with its Ed25519 key.
type LabReport struct {
	ID string `json:"id"`
	// Number is the lab's own report number; it is signed, the ID is not.
	Number           string `json:"number"`
	LabOrgID         string `json:"lab_org_id"`
	TechnicianUserID string `json:"technician_user_id"`
	// ExporterOrgID owns the units; ApplicationID is the license
	// application whose stated figures the units are judged against.
	ExporterOrgID string `json:"exporter_org_id"`
	ApplicationID string `json:"application_id"`
	Product       string `json:"product"` // a ProductKey
	// Units are the units the report covers: an export is covered only by
	// a review of exactly its units (the same serials, or the same count
	// of the same lot). Examined is how many of them the lab examined, and
	// SamplingPlan how it chose them ("every unit", or the plan's name
	// and parameters); the agency sets the minimum share examined.
	Units        Units  `json:"units"`
	Examined     int64  `json:"examined"`
	SamplingPlan string `json:"sampling_plan"`
	// Measured lists the dense peak throughput measured at each precision;
	// MeasuredDRAMBandwidthGBps the total DRAM bandwidth.
	Measured                  []PeakThroughput `json:"measured"`
	MeasuredDRAMBandwidthGBps float64          `json:"measured_dram_bandwidth_gbps"`
	Method                    string           `json:"method"`
	// ToleranceBP is the tolerance the judgment applied, in basis points: a
	// measurement may exceed the application's figure by this much. The
	// licensing agency sets it (package shipping refuses a report whose
	// tolerance is above the agency's); the lab only applies it.
	ToleranceBP int       `json:"tolerance_bp"`
	TestedAt    time.Time `json:"tested_at"`

	// The judgment, computed by package shipping.
	MeasuredTPP           float64  `json:"measured_tpp"`
	SpecTPP               float64  `json:"spec_tpp"`
	SpecDRAMBandwidthGBps float64  `json:"spec_dram_bandwidth_gbps"`
	Pass                  bool     `json:"pass"`
	Findings              []string `json:"findings"`

	// KeyID names the lab key that signed (LabKeyID); Signature is the
	// Ed25519 signature over the report's canonical bytes.
	KeyID      string    `json:"key_id"`
	Signature  []byte    `json:"signature,omitempty"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
}

// Validate checks what the lab records: report number, lab, technician,
// exporter, application, product, valid units, a number of units examined
// (1 to the units covered) and a sampling plan, at least one valid measured
// peak, a measured bandwidth, a method, a tolerance within 0 to
// MaxToleranceBP, the test time, and a key id and a signature of the right
// form when present. Whether the judgment is right and the signature valid
// is package shipping's question.
func (r *LabReport) Validate() error {
	if err := validateNameField("number", r.Number, true); err != nil {
		return err
	}
	switch {
	case r.LabOrgID == "":
		return FieldErrorf("lab_org_id", "required")
	case r.TechnicianUserID == "":
		return FieldErrorf("technician_user_id", "required")
	case r.ExporterOrgID == "":
		return FieldErrorf("exporter_org_id", "required")
	case r.ApplicationID == "":
		return FieldErrorf("application_id", "required")
	case r.Product == "" || r.Product != ProductKey(r.Product):
		return FieldErrorf("product", "required, as a product key (trimmed, upper case); got %q", r.Product)
	}
	if err := r.Units.Validate(); err != nil {
		err.Field = "units." + err.Field
		return err
	}
	switch {
	case r.Examined <= 0 || r.Examined > r.Units.Count:
		return FieldErrorf("examined", "the number of units examined must be 1 to the %d covered; got %d", r.Units.Count, r.Examined)
	case strings.TrimSpace(r.SamplingPlan) == "":
		return FieldErrorf("sampling_plan", "required: how the examined units were chosen")
	case len(r.SamplingPlan) > maxApplicationTextLen:
		return FieldErrorf("sampling_plan", "longer than %d characters", maxApplicationTextLen)
	}
	if len(r.Measured) == 0 {
		return FieldErrorf("measured", "at least one measured peak is required")
	}
	for i := range r.Measured {
		if err := r.Measured[i].validate(fmt.Sprintf("measured[%d]", i)); err != nil {
			return err
		}
	}
	if err := checkFigure("measured_dram_bandwidth_gbps", r.MeasuredDRAMBandwidthGBps, true); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(r.Method) == "":
		return FieldErrorf("method", "required")
	case CheckText("method", r.Method) != nil:
		return CheckText("method", r.Method)
	case len(r.Method) > maxApplicationTextLen:
		return FieldErrorf("method", "longer than %d characters", maxApplicationTextLen)
	case r.ToleranceBP < 0 || r.ToleranceBP > MaxToleranceBP:
		return FieldErrorf("tolerance_bp", "must be 0 to %d; got %d", MaxToleranceBP, r.ToleranceBP)
	case r.TestedAt.IsZero():
		return FieldErrorf("tested_at", "required")
	case CheckDate("tested_at", r.TestedAt) != nil:
		return CheckDate("tested_at", r.TestedAt)
	case r.KeyID != "" && !validKeyID(r.KeyID):
		return FieldErrorf("key_id", "must be 32 lower-case hex digits")
	case len(r.Signature) != 0 && len(r.Signature) != ed25519.SignatureSize:
		return FieldErrorf("signature", "must be %d bytes; got %d", ed25519.SignatureSize, len(r.Signature))
	}
	return nil
}

// LabKey is an Ed25519 public key registered with a lab organization. Lab
// reports name the key that signed them; a revoked key verifies nothing
// signed at or after its revocation.
type LabKey struct {
	ID        string    `json:"id"` // LabKeyID(PublicKey)
	LabOrgID  string    `json:"lab_org_id"`
	PublicKey []byte    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// LabKeyID returns the id of an Ed25519 public key: the first 16 bytes of
// its SHA-256, in hex.
func LabKeyID(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:16])
}

// Validate checks a registered key: a lab, a 32-byte public key and the id
// that key has.
func (k *LabKey) Validate() error {
	switch {
	case k.LabOrgID == "":
		return FieldErrorf("lab_org_id", "required")
	case len(k.PublicKey) != ed25519.PublicKeySize:
		return FieldErrorf("public_key", "must be an Ed25519 public key of %d bytes; got %d", ed25519.PublicKeySize, len(k.PublicKey))
	case k.ID != LabKeyID(k.PublicKey):
		return FieldErrorf("id", "is %q, want %q for this public key", k.ID, LabKeyID(k.PublicKey))
	case !k.RevokedAt.IsZero() && k.RevokedAt.Before(k.CreatedAt):
		return FieldErrorf("revoked_at", "precedes created_at")
	}
	return nil
}

// ValidAt reports whether the key may have signed something at t: it is not
// revoked, or was revoked after t.
func (k *LabKey) ValidAt(t time.Time) bool {
	return k.RevokedAt.IsZero() || t.Before(k.RevokedAt)
}

func validKeyID(s string) bool {
	if len(s) != 32 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && (r < 'a' || r > 'f') }) < 0
}
