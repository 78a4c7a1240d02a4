package licensing

import (
	"errors"
	"testing"

	"tollgate"
)

func TestParseDraft(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d, err := ParseDraft([]byte(`
parties:
  applicant: org-1
  purchaser: p-1
  end_users: [eu-1, eu-2]
destination: CN
export_from: US
end_use: training
items:
  - model: H200
    eccn: 3A090.a
    quantity: 10
    unit_price_cents: 2700000
us_shipments:
  - product: H200
    units: 100
`))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(d.Parties.EndUsers), 2; got != want || d.Items[0].Quantity != 10 || d.USShipments[0].Units != 100 {
			t.Errorf("got %+v", d)
		}
	})
	tests := []struct {
		name, in, field string
	}{
		{"ErrEmpty", "  \n", "draft"},
		{"ErrUnknownField", "destination: CN\ncolour: red\n", "colour"},
		{"ErrRepeated", "destination: CN\ndestination: MO\n", "destination"},
		{"ErrType", "items: [{quantity: lots}]\n", "items.quantity"},
		{"ErrNotAMapping", "- a\n- b\n", "draft"},
		{"ErrSyntax", "parties: {applicant: [\n", "draft"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDraft([]byte(tt.in))
			if got := fieldOf(err); got != tt.field {
				t.Errorf("field: got %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}

func TestParseDecision(t *testing.T) {
	d, err := ParseDecision([]byte("outcome: approve\nvalid_from: 2026-03-01\nvalid_to: 2030-02-28\nitems: [{product: H200, quantity: 5, value_cents: 100}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome != tollgate.DecisionApprove || d.ValidTo.Format("2006-01-02") != "2030-02-28" || d.Items[0].Quantity != 5 {
		t.Errorf("got %+v", d)
	}
	for in, field := range map[string]string{
		"outcome: maybe\n":                         "outcome",
		"outcome: approve\nvalid_from: tomorrow\n": "valid_from",
		"outcome: deny\ndecided_by: me\n":          "decided_by",
		"outcome: deny\nreasons: {a: b}\n":         "reasons",
	} {
		if _, err := ParseDecision([]byte(in)); fieldOf(err) != field {
			t.Errorf("ParseDecision(%q): got %v, want field %q", in, err, field)
		}
	}
}

func fieldOf(err error) string {
	var e *tollgate.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// FuzzParseDraft checks that any input either parses or fails with an
// EINVALID error naming a field, and never panics.
func FuzzParseDraft(f *testing.F) {
	f.Add([]byte("destination: CN\nitems: [{model: H200, quantity: 1, unit_price_cents: 1}]\n"))
	f.Add([]byte(`{"parties":{"applicant":"o"},"end_use":"x"}`))
	f.Add([]byte("outcome: approve\nvalid_from: 2026-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseDraft(data); err != nil && (errCode(err) != tollgate.EINVALID || fieldOf(err) == "") {
			t.Fatalf("ParseDraft(%q): %v is not a field error", data, err)
		}
		if _, err := ParseDecision(data); err != nil && (errCode(err) != tollgate.EINVALID || fieldOf(err) == "") {
			t.Fatalf("ParseDecision(%q): %v is not a field error", data, err)
		}
	})
}
