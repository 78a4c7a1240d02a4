package licensing

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"tollgate"
)

// maxFileBytes bounds a draft or decision file: far more than any real
// application needs, little enough to read at once.
const maxFileBytes = 1 << 20

// ParseDraft parses an application draft written in YAML or JSON (JSON is
// YAML), with the fields of Draft: parties (applicant, purchaser,
// intermediate_consignees, ultimate_consignee, end_users), destination,
// export_from, reexport, end_use, items and us_shipments. Unknown and
// repeated fields are refused; every error is an EINVALID *tollgate.Error
// naming the field. It checks the shape only: the service validates the
// draft against the store.
func ParseDraft(data []byte) (Draft, error) {
	var d Draft
	if err := parseStrict(data, &d, "draft"); err != nil {
		return Draft{}, fmt.Errorf("licensing.ParseDraft: %w", err)
	}
	return d, nil
}

// ParseDraftUpdate parses the fields of a draft to change (DraftUpdate) in
// YAML or JSON, as ParseDraft does.
func ParseDraftUpdate(data []byte) (DraftUpdate, error) {
	var u DraftUpdate
	if err := parseStrict(data, &u, "update"); err != nil {
		return DraftUpdate{}, fmt.Errorf("licensing.ParseDraftUpdate: %w", err)
	}
	return u, nil
}

// ParseDecision parses a licensing decision in YAML or JSON: outcome
// (approve, approve_in_part, deny, return_without_action), and for an
// approval items, conditions and optionally license_number, valid_from
// and valid_to; for a denial or return, reasons. Who decided and when are
// not part of it: the service records the caller and its clock.
func ParseDecision(data []byte) (*tollgate.ApplicationDecision, error) {
	var in struct {
		Outcome       tollgate.DecisionOutcome `json:"outcome"`
		LicenseNumber string                   `json:"license_number"`
		Items         []tollgate.LicenseItem   `json:"items"`
		ValidFrom     string                   `json:"valid_from"`
		ValidTo       string                   `json:"valid_to"`
		Conditions    []tollgate.Condition     `json:"conditions"`
		Reasons       []string                 `json:"reasons"`
	}
	if err := parseStrict(data, &in, "decision"); err != nil {
		return nil, fmt.Errorf("licensing.ParseDecision: %w", err)
	}
	if in.Outcome.State() == "" {
		return nil, fmt.Errorf("licensing.ParseDecision: %w", tollgate.FieldErrorf("outcome",
			"must be approve, approve_in_part, deny or return_without_action; got %q", in.Outcome))
	}
	d := &tollgate.ApplicationDecision{Outcome: in.Outcome, LicenseNumber: in.LicenseNumber, Items: in.Items,
		Conditions: in.Conditions, Reasons: in.Reasons}
	for _, f := range []struct {
		name, v string
		dst     *time.Time
	}{{"valid_from", in.ValidFrom, &d.ValidFrom}, {"valid_to", in.ValidTo, &d.ValidTo}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, f.v)
		if err != nil {
			return nil, fmt.Errorf("licensing.ParseDecision: %w", tollgate.FieldErrorf(f.name, "must be a date YYYY-MM-DD; got %q", f.v))
		}
		*f.dst = t
	}
	return d, nil
}

var (
	unknownFieldRE = regexp.MustCompile(`unknown field "([^"]+)"`)
	duplicateKeyRE = regexp.MustCompile(`key "([^"]+)" already set`)
)

// parseStrict decodes YAML or JSON into v, refusing unknown and repeated
// fields, and turns every failure into a field-naming error.
func parseStrict(data []byte, v any, what string) error {
	switch {
	case len(strings.TrimSpace(string(data))) == 0:
		return tollgate.FieldErrorf(what, "is empty")
	case len(data) > maxFileBytes:
		return tollgate.FieldErrorf(what, "is larger than %d bytes", maxFileBytes)
	}
	err := yaml.UnmarshalStrict(data, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = what
		}
		return tollgate.FieldErrorf(field, "must be %s (got %s)", strings.TrimPrefix(te.Type.String(), "*"), te.Value)
	}
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		return tollgate.FieldErrorf(m[1], "unknown field")
	}
	if m := duplicateKeyRE.FindStringSubmatch(msg); m != nil {
		return tollgate.FieldErrorf(m[1], "is given more than once")
	}
	return tollgate.FieldErrorf(what, "cannot be decoded: %s", msg)
}
