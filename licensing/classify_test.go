package licensing

import (
	"strings"
	"testing"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
)

// classifyH200 runs the real classification rules on the catalog's H200.
func classifyH200(t *testing.T, to, hq string) tollgate.Classification {
	t.Helper()
	chip, err := catalog.Default().Lookup("h200")
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.Default().Classify(classify.Request{Chip: chip, To: to, HQ: hq, AsOf: t0})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPrecheckWithClassify feeds Precheck what the classify engine says, so
// that the certification codes and statements of this package and of the
// classify rulebook cannot drift apart unnoticed.
func TestPrecheckWithClassify(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		in := mustInput(t)
		in.Classifications[0].Classification = classifyH200(t, "CN", "CN")
		checks, err := Precheck(DefaultConfig(), in)
		if err != nil {
			t.Fatal(err)
		}
		if err := CanSubmit(checks); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("WarnHeadquarteredInChinaLocatedElsewhere", func(t *testing.T) {
		in := mustInput(t)
		in.Application.Destination = "SG"
		in.Parties[2].Party.Country, in.Parties[2].Party.HeadquartersCountry = "SG", "CN"
		in.Classifications[0].Classification = classifyH200(t, "SG", "CN")
		checks, err := Precheck(DefaultConfig(), in)
		if err != nil {
			t.Fatal(err)
		}
		if err := CanSubmit(checks); err != nil {
			t.Fatalf("CanSubmit: got %v, want nil: presumption of denial is not a bar to filing", err)
		}
		var got []string
		for _, c := range checks {
			if c.Severity == SeverityWarning {
				got = append(got, c.Name)
				if c.Name == CheckClassification && !strings.Contains(c.Reason, "presumption of denial") {
					t.Errorf("got reason %q, want a presumption of denial", c.Reason)
				}
			}
		}
		if len(got) != 1 || got[0] != CheckClassification {
			t.Fatalf("got warnings %v, want only %s", got, CheckClassification)
		}
	})
	t.Run("CatalogMatchesRulebook", func(t *testing.T) {
		reqs := classifyH200(t, "CN", "CN").Destination.Conditions
		if len(reqs) != len(H200Certifications()) {
			t.Fatalf("classify requires %d certifications, the catalog has %d", len(reqs), len(H200Certifications()))
		}
		for _, req := range reqs {
			spec, ok := LookupCertification(req.Code)
			if !ok || !sameStatement(spec.Statement, req.Text) {
				t.Errorf("%s: catalog has %q, classify requires %q", req.Code, spec.Statement, req.Text)
			}
		}
	})
}
