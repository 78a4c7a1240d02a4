package classify

import (
	"time"

	"tollgate"
)

// Rule identifies one dated, cited rule. Every decision names the rules that
// produced it, so that a reader can check them and a later version of a rule
// can be told from an earlier one.
type Rule struct {
	ID        string
	Title     string
	Citation  string
	Effective time.Time
}

// InForce reports whether the rule applies on asOf.
func (r Rule) InForce(asOf time.Time) bool { return !asOf.Before(r.Effective) }

// Ref returns the rule's reference as a classification lists it.
func (r Rule) Ref() tollgate.RuleRef {
	return tollgate.RuleRef{ID: r.ID, Title: r.Title, Citation: r.Citation, Effective: r.Effective.Format(time.DateOnly)}
}

// ECCNRule holds the 3A090/4A090 thresholds. A chip designed or marketed
// for data centers is 3A090.a when TPP >= ATPP, or TPP >= APDTPP and
// PD >= APD; it is 3A090.b when BLowTPP <= TPP < ATPP and BLowPD <= PD < APD,
// or TPP >= BPDTPP and BPD <= PD < APD. A chip that is not is controlled
// only when TPP >= NonDataCenterTPP. Systems containing the chip take 4A090.
type ECCNRule struct {
	Rule
	ATPP, APDTPP, APD       float64
	BLowTPP, BLowPD         float64
	BPDTPP, BPD             float64
	NonDataCenterTPP        float64
	ChipECCN, SystemECCN    string // "3A090", "4A090"
	NonDataCenterExceptions bool   // non-data-center chips above the threshold may use NAC/ACA
}

// DestinationRule decides where the advanced-computing license requirement
// reaches and the default review policy. A license is needed for
// destinations in Groups or Extra that are not also in ExcludeGroups, and
// for end users headquartered in HQGroups or HQExtra wherever located.
// Applications are reviewed under presumption of denial for destinations in
// DenialGroups or DenialExtra and for such end users, otherwise under
// presumption of approval.
type DestinationRule struct {
	Rule
	Groups, Extra             []string
	ExcludeGroups             []string
	HQGroups, HQExtra         []string
	DenialGroups, DenialExtra []string
	// Home is the country whose export rules these are (US): a delivery
	// inside it is not an export, whoever the end user is; HomeRule says so.
	Home     string
	HomeRule Rule
}

// CaseByCaseRule is the January 2026 H200 rule: exports from the United
// States to Destinations of chips with TPP < MaxTPP and DRAM bandwidth <
// MaxDRAMBandwidthGBps that were commercially available in the US on or
// before AvailableBy (the day the rule was published) are reviewed case
// by case, provided the application makes the Conditions and Statements.
type CaseByCaseRule struct {
	Rule
	Destinations         []string
	MaxTPP               float64
	MaxDRAMBandwidthGBps float64
	AvailableBy          time.Time
	Conditions           []tollgate.RequiredCertification
	Statements           []tollgate.RequiredCertification
}

// LetterRule is a license requirement BIS imposed by letter ("is-informed"
// letter) rather than by regulation, keyed on figures: an item whose DRAM
// bandwidth reaches MinDRAMBandwidthGBps or whose interconnect bandwidth
// reaches MinInterconnectGBps needs a license for Destinations, members of
// DestinationGroups and end users headquartered in D:5 or Macau (the
// DestinationRule's HQ reach), reviewed under Policy for Destinations and
// under OtherPolicy elsewhere.
type LetterRule struct {
	Rule
	MinDRAMBandwidthGBps float64
	MinInterconnectGBps  float64
	Destinations         []string
	DestinationGroups    []string
	Policy               tollgate.ReviewPolicy
	OtherPolicy          tollgate.ReviewPolicy
}

// ExceptionRule holds the citations of license exceptions NAC (notified
// advanced computing: D:5 and Macau, with notice) and ACA (advanced
// computing authorized: other D:1/D:4 destinations, no notice).
type ExceptionRule struct {
	Rule
	NACCitation, ACACitation string
	NACTerms, ACATerms       string
}

// Section232Rule is the Section 232 duty on advanced chips: goods entered on
// or after Effective under an HTS code beginning with one of HTSPrefixes
// (six digits) that are or contain a chip in one of Bands pay RateBP under
// DutyHeading unless an Exemptions heading applies; in-scope goods outside
// the bands are declared under NoDutyHeading at 0%.
type Section232Rule struct {
	Rule
	HTSPrefixes   []string
	DefaultHTS    string
	Bands         []TariffBand
	DutyHeading   string
	RateBP        int
	NoDutyHeading string
	Exemptions    []Exemption
}

// TariffBand is a Section 232 band. All four bounds are strict: a chip is in
// the band when TPPAbove < TPP < TPPBelow and BWAbove < DRAM BW < BWBelow.
type TariffBand struct {
	Band               int
	TPPAbove, TPPBelow float64
	BWAbove, BWBelow   float64
}

// Exemption is an end-use exemption heading of the Section 232 duty.
type Exemption struct {
	Heading string
	EndUse  string
}

// Rulebook is every rule classify applies, as data. Versioned rules (ECCN,
// Tariffs) may hold several versions; the latest in force on the as-of
// date applies. Callers may build their own Rulebook to model a rule change.
type Rulebook struct {
	ECCN        []ECCNRule
	Groups      CountryGroups
	Destination DestinationRule
	// ChinaOrMacau is the destinations the rules call "China or Macau"
	// (CN, HK, MO); its TreatAs gives Hong Kong China's country groups.
	ChinaOrMacau  Territory
	CaseByCase    []CaseByCaseRule
	Letters       []LetterRule
	Exceptions    ExceptionRule
	Tariffs       []Section232Rule
	CountryCodes  map[string]bool // valid ISO 3166-1 alpha-2 codes
	DefaultOrigin string          // the exporting country when none is given: "US"
}

// eccnRule returns the latest 3A090 rule in force on asOf.
func (rb *Rulebook) eccnRule(asOf time.Time) (ECCNRule, bool) {
	var best ECCNRule
	found := false
	for _, r := range rb.ECCN {
		if r.InForce(asOf) && (!found || r.Effective.After(best.Effective)) {
			best, found = r, true
		}
	}
	return best, found
}

// section232Rule returns the latest Section 232 rule in force on date.
func (rb *Rulebook) section232Rule(date time.Time) (Section232Rule, bool) {
	var best Section232Rule
	found := false
	for _, r := range rb.Tariffs {
		if r.InForce(date) && (!found || r.Effective.After(best.Effective)) {
			best, found = r, true
		}
	}
	return best, found
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("classify: bad date in rule data: " + s)
	}
	return t
}
