package tollgate

// ReviewPolicy is how a license application for an export is reviewed, or
// that no license is needed at all.
type ReviewPolicy string

// Review policies, from most to least permissive.
const (
	PolicyNoLicenseRequired     ReviewPolicy = "no_license_required"
	PolicyPresumptionOfApproval ReviewPolicy = "presumption_of_approval"
	PolicyCaseByCase            ReviewPolicy = "case_by_case"
	PolicyPresumptionOfDenial   ReviewPolicy = "presumption_of_denial"
)

// Classification is what the export rules and the Section 232 tariff make of
// one chip (or a system containing it) on one date, for one destination when
// a destination is given. Every decision carries its reasons and the rules
// (citation and effective date) that produced it.
type Classification struct {
	Model  string `json:"model"`
	Vendor string `json:"vendor"`
	// AsOf is the date (YYYY-MM-DD) whose rules were applied.
	AsOf string `json:"as_of"`
	// System is true when the item is a computer, assembly or component
	// containing the chip (ECCN 4A090) rather than the chip itself.
	System bool `json:"system"`
	// TPP is the total processing performance: the highest dense peak
	// throughput times its bit length. TPPPrecision names that precision.
	TPP          float64 `json:"tpp"`
	TPPPrecision string  `json:"tpp_precision"`
	// PD is the performance density (TPP per mm² of die), rounded to two
	// decimals, or nil when the die area is unknown. Thresholds are applied
	// to the unrounded value.
	PD                *float64 `json:"pd"`
	DRAMBandwidthGBps float64  `json:"dram_bandwidth_gbps"`
	DataCenter        bool     `json:"data_center"`
	// ECCN is 3A090.a, 3A090.b, 4A090.a or 4A090.b, or "" when the item is
	// not controlled under 3A090/4A090 (it may still fall under another
	// entry, such as 3A991 or EAR99, which tollgate does not decide).
	ECCN       string `json:"eccn"`
	Controlled bool   `json:"controlled"`
	// Reasons explains every decision in order: which threshold was crossed
	// or missed, why a policy applies, how the tariff was found.
	Reasons []string `json:"reasons"`
	// Destination is nil when no destination was given.
	Destination       *DestinationPolicy            `json:"destination,omitempty"`
	LicenseExceptions []LicenseExceptionEligibility `json:"license_exceptions"`
	Tariff            TariffClassification          `json:"tariff"`
	// Rules lists each rule consulted, in the order it was applied.
	Rules []RuleRef `json:"rules"`
	// Undetermined lists the points that unknown figures of the chip leave
	// open; empty when every point was decided on known figures. For each,
	// the classification applies the most restrictive outcome the unknown
	// allows (ECCN, review policy, Section 232 band), never a clearance.
	Undetermined []Undetermined `json:"undetermined"`
}

// Determined reports whether every point of c was decided on known
// figures, none assumed.
func (c *Classification) Determined() bool { return len(c.Undetermined) == 0 }

// Points of a classification that an unknown figure can leave open.
const (
	UndeterminedECCN       = "eccn"            // 3A090/4A090 and its paragraph
	UndeterminedH200Rule   = "h200_rule"       // whether the H200 rule's limits are met
	UndeterminedLetter     = "h20_letter"      // whether the April 2025 letter's criterion is met
	UndeterminedSection232 = "section232_band" // the Section 232 band
)

// Undetermined is one point a classification could not decide because a
// figure that could change the outcome is unknown.
type Undetermined struct {
	// Point is one of the Undetermined* constants.
	Point string `json:"point"`
	// Missing names the unknown figures by their Chip JSON field
	// (peaks, die_area_mm2, dram_bandwidth_gbps, interconnect_bandwidth_gbps).
	Missing []string `json:"missing"`
	// Assumed is the outcome applied in the point's place: the most
	// restrictive one the unknown figures allow ("3A090.a",
	// "presumption_of_denial", "license required", "band 1").
	Assumed string `json:"assumed"`
	// Reason says which outcomes the unknown figures leave possible.
	Reason string `json:"reason"`
}

// DestinationPolicy is the licensing outcome for one destination and end user.
type DestinationPolicy struct {
	// Country is the destination as given (ISO 3166-1 alpha-2); TreatedAs is
	// the destination the rules apply to when it differs (Hong Kong → CN).
	Country   string `json:"country"`
	TreatedAs string `json:"treated_as,omitempty"`
	// HQ is the country where the end user (or its ultimate parent) is
	// headquartered, when given.
	HQ string `json:"hq,omitempty"`
	// From is the country the item is exported from (US unless a foreign
	// export); Reexport marks a reexport of an item already abroad.
	From          string   `json:"from"`
	Reexport      bool     `json:"reexport"`
	CountryGroups []string `json:"country_groups"`

	LicenseRequired bool         `json:"license_required"`
	ReviewPolicy    ReviewPolicy `json:"review_policy"`
	// Conditions are the certifications an application must make for the
	// review policy to hold (the six of the January 2026 H200 rule); empty
	// when the policy imposes none.
	Conditions []RequiredCertification `json:"conditions"`
	// Statements are facts the application must state (for the H200 rule:
	// the units shipped to US customers so far).
	Statements []RequiredCertification `json:"statements"`
}

// RequiredCertification is one certification or statement a license
// application must contain for a review policy to hold. Code is stable: an
// application's Certification with the same Code satisfies it.
type RequiredCertification struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// LicenseExceptionEligibility says whether a license exception (NAC or ACA)
// is available for the export, and why.
type LicenseExceptionEligibility struct {
	Name     string `json:"name"`
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason"`
	Citation string `json:"citation"`
}

// TariffClassification is the Section 232 treatment of an import of the item:
// its band (0 when in no band), the Chapter 99 heading to declare (empty when
// the HTS code is out of scope or the duty not yet in force) and the
// additional duty in basis points.
type TariffClassification struct {
	HTS       string `json:"hts"`
	InScope   bool   `json:"in_scope"`
	Band      int    `json:"band"`
	Heading   string `json:"heading"`
	RateBP    int    `json:"rate_bp"`
	Exemption string `json:"exemption,omitempty"`
	// Assumed is true when Band was assumed because the chip's TPP or DRAM
	// bandwidth is unknown and could place it in the band.
	Assumed   bool     `json:"assumed,omitempty"`
	EntryDate string   `json:"entry_date"`
	Citation  string   `json:"citation"`
	Reasons   []string `json:"reasons"`
}

// RuleRef identifies one rule that took part in a decision: its stable ID, a
// short title, the legal citation and the date it took effect (YYYY-MM-DD).
type RuleRef struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Citation  string `json:"citation"`
	Effective string `json:"effective"`
}
