package classify

import "tollgate"

// Default returns a fresh copy of the built-in rulebook: the 2023 advanced-
// computing rule (3A090 thresholds, destination scope, policies), NAC/ACA,
// the April 2025 H20 letter, the January 2026 H200 rule and the January 2026
// Section 232 duty, each with its citation and effective date. Facts marked
// unconfirmed in docs/regime.md are marked so in the citations.
func Default() *Rulebook {
	return &Rulebook{
		ECCN: []ECCNRule{{
			Rule: Rule{
				ID:        "3a090-2023",
				Title:     "ECCN 3A090/4A090 performance thresholds (TPP, PD, data-center designation)",
				Citation:  "15 CFR part 774, Supp. 1, ECCNs 3A090 and 4A090, as revised by BIS, 88 FR 73458 (25 Oct 2023)",
				Effective: date("2023-11-17"),
			},
			ATPP: 4800, APDTPP: 1600, APD: 5.92,
			BLowTPP: 2400, BLowPD: 1.6,
			BPDTPP: 1600, BPD: 3.2,
			NonDataCenterTPP:        4800,
			ChipECCN:                "3A090",
			SystemECCN:              "4A090",
			NonDataCenterExceptions: true,
		}},
		Groups: defaultCountryGroups(),
		Destination: DestinationRule{
			Rule: Rule{
				ID:        "ac-destinations-2023",
				Title:     "Advanced-computing license requirement and review policy by destination and headquarters",
				Citation:  "15 CFR 742.6(a)(6)(iii) and (b)(10), 88 FR 73458 (25 Oct 2023); headquarters reach per BIS guidance of 31 May 2026 (regime.md §2)",
				Effective: date("2023-11-17"),
			},
			Groups: []string{"D:1", "D:4", "D:5"}, Extra: []string{"MO"},
			ExcludeGroups: []string{"A:5", "A:6"},
			HQGroups:      []string{"D:5"}, HQExtra: []string{"MO"},
			DenialGroups: []string{"D:5"}, DenialExtra: []string{"MO"},
			Home: "US",
			HomeRule: Rule{
				ID:        "ear-export-definition",
				Title:     "A delivery inside the United States is not an export",
				Citation:  "15 CFR 734.13 (export: a shipment or transmission out of the United States); the headquarters reach of 15 CFR 742.6(a)(6)(iii) covers exports, reexports and in-country transfers abroad (regime.md §9)",
				Effective: date("2023-11-17"),
			},
		},
		ChinaOrMacau: chinaOrMacau(),
		CaseByCase:   []CaseByCaseRule{h200Rule()},
		Letters: []LetterRule{{
			Rule: Rule{
				ID:    "h20-letter-2025",
				Title: "BIS letter: license required for the H20 and any chip achieving its memory or interconnect bandwidth",
				Citation: "BIS \"is-informed\" letter of 9 Apr 2025, made indefinite on 14 Apr 2025 (NVIDIA Form 8-K, 15 Apr 2025: \"H20 integrated circuits and any other circuits achieving the H20's memory bandwidth, interconnect bandwidth, or combination thereof\"; AMD Form 8-K, 16 Apr 2025, for the MI308); " +
					"no review policy was published: China licenses were granted from Aug 2025 (modelled as case-by-case), other D:5 destinations are modelled as presumption of denial",
				Effective: date("2025-04-09"),
			},
			MinDRAMBandwidthGBps: 4000, // the H20's
			MinInterconnectGBps:  900,  // the H20's NVLink
			Destinations:         ChinaOrMacau(),
			DestinationGroups:    []string{"D:5"},
			Policy:               tollgate.PolicyCaseByCase,
			OtherPolicy:          tollgate.PolicyPresumptionOfDenial,
		}},
		Exceptions: ExceptionRule{
			Rule: Rule{
				ID:        "nac-aca-2024",
				Title:     "License exceptions NAC and ACA",
				Citation:  "15 CFR 740.8, 88 FR 73458 (2023) as split into NAC and ACA by 89 FR 23876 (4 Apr 2024)",
				Effective: date("2024-04-04"),
			},
			NACCitation: "15 CFR 740.8 (NAC)",
			ACACitation: "15 CFR 740.8 (ACA)",
			NACTerms:    "notify BIS 25 days before export; at most 6 items, one consignee and one end user per notification (regime.md §2)",
			ACATerms:    "no notification needed",
		},
		Tariffs:       []Section232Rule{section232Rule()},
		CountryCodes:  countryCodes(),
		DefaultOrigin: "US",
	}
}

// h200Rule is BIS's final rule of 15 Jan 2026 (regime.md §3).
func h200Rule() CaseByCaseRule {
	return CaseByCaseRule{
		Rule: Rule{
			ID:        "h200-rule-2026",
			Title:     "Case-by-case review for exports to China and Macau of chips below the H200-rule limits",
			Citation:  "BIS final rule, Revision to License Review Policy for Advanced Computing Commodities, 91 FR 1684 (15 Jan 2026), FR Doc 2026-00789; 15 CFR 742.6(b)(10)(iii)(A)(1) (paragraph unconfirmed)",
			Effective: date("2026-01-15"),
		},
		Destinations:         ChinaOrMacau(),
		MaxTPP:               21000,
		MaxDRAMBandwidthGBps: 6500,
		AvailableBy:          date("2026-01-15"),
		Conditions: []tollgate.RequiredCertification{
			{Code: "performance_limits", Text: "The chip has TPP below 21,000 and total DRAM bandwidth below 6,500 GB/s."},
			{Code: "us_supply", Text: "US supply is sufficient: no existing or new order for US end use is delayed, and no global foundry capacity available to US customers is diverted."},
			{Code: "china_cap_50pct", Text: "Aggregate shipments of this product to China and Macau will be at most 50% of the units shipped to US end-use customers."},
			{Code: "end_use_controls", Text: "The export is not barred by end-use or end-user controls, military end uses included."},
			{Code: "kyc_remote_access", Text: "The ultimate consignee runs rigorous know-your-customer procedures that prevent unauthorized remote access."},
			{Code: "third_party_lab", Text: "Every shipment is reviewed before export by a qualified third-party testing laboratory in the US, confirming the capabilities stated in the application."},
		},
		Statements: []tollgate.RequiredCertification{
			{Code: "us_units_shipped", Text: "State how many units of the product the exporter has shipped to US customers so far."},
		},
	}
}

// section232Rule is the Proclamation of 14 Jan 2026 as CBP implemented it
// (regime.md §5). Band 2 is confirmed only by secondary sources. The end-use
// headings follow the order CBP lists the end uses in; only 9903.79.05 (US
// research and development) is confirmed against the HTSUS text.
func section232Rule() Section232Rule {
	return Section232Rule{
		Rule: Rule{
			ID:        "s232-semiconductors-2026",
			Title:     "Section 232 duty on advanced logic chips and the goods containing them",
			Citation:  "Proclamation of 14 Jan 2026, Adjusting Imports of Semiconductors, Semiconductor Manufacturing Equipment, and Their Derivative Products; HTSUS ch. 99 subch. III U.S. note 39; CBP CSMS #67400472",
			Effective: date("2026-01-15"),
		},
		HTSPrefixes: []string{"847150", "847180", "847330"},
		DefaultHTS:  "8473.30",
		Bands: []TariffBand{
			{Band: 1, TPPAbove: 14000, TPPBelow: 17500, BWAbove: 4500, BWBelow: 5000},
			{Band: 2, TPPAbove: 20800, TPPBelow: 21100, BWAbove: 5800, BWBelow: 6200},
		},
		DutyHeading:   "9903.79.01",
		RateBP:        2500,
		NoDutyHeading: "9903.79.02",
		Exemptions: []Exemption{
			{Heading: "9903.79.03", EndUse: "US data centers"},
			{Heading: "9903.79.04", EndUse: "repairs or replacements in the US"},
			{Heading: "9903.79.05", EndUse: "research and development in the US"},
			{Heading: "9903.79.06", EndUse: "startups"},
			{Heading: "9903.79.07", EndUse: "non-data-center consumer uses"},
			{Heading: "9903.79.08", EndUse: "non-data-center civil industrial uses"},
			{Heading: "9903.79.09", EndUse: "US public sector (and other uses Commerce approves)"},
		},
	}
}
