package lists

import (
	"fmt"
	"io"
	"strings"
	"time"

	"tollgate"
)

// cslLists maps the CSL's source column to the short list codes of
// tollgate.Entity.List.
var cslLists = map[string]string{
	"Specially Designated Nationals (SDN) - Treasury Department":                              "SDN",
	"Entity List (EL) - Bureau of Industry and Security":                                      "EL",
	"ITAR Debarred (DTC) - State Department":                                                  "DTC",
	"Denied Persons List (DPL) - Bureau of Industry and Security":                             "DPL",
	"Sectoral Sanctions Identifications List (SSI) - Treasury Department":                     "SSI",
	"Unverified List (UVL) - Bureau of Industry and Security":                                 "UVL",
	"Nonproliferation Sanctions (ISN) - State Department":                                     "ISN",
	"Palestinian Legislative Council List (PLC) - Treasury Department":                        "PLC",
	"Military End User (MEU) List - Bureau of Industry and Security":                          "MEU",
	"Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": "CMIC",
	"Capta List (CAP) - Treasury Department":                                                  "CAP",
	"Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department":                   "NS-MBS",
	"Foreign Sanctions Evaders (FSE) - Treasury Department":                                   "FSE",
}

// cslListCode returns the list code of a CSL source: the table's, else the
// abbreviation the source gives in parentheses ("… (XYZ) - Agency" → "XYZ"),
// so that a list trade.gov adds later still gets a code.
func cslListCode(source string) (string, bool) {
	if code, ok := cslLists[source]; ok {
		return code, true
	}
	open := strings.LastIndexByte(source, '(')
	closing := strings.LastIndexByte(source, ')')
	if open < 0 || closing < open+2 {
		return "", false
	}
	code := strings.TrimSuffix(strings.TrimSpace(source[open+1:closing]), " List")
	code = strings.ToUpper(strings.ReplaceAll(code, " ", "-"))
	return code, code != ""
}

var cslTypes = map[string]tollgate.EntityType{
	"individual": tollgate.EntityPerson,
	"entity":     tollgate.EntityOrganization,
	"vessel":     tollgate.EntityVessel,
	"aircraft":   tollgate.EntityAircraft,
}

// cslColumns are the CSL columns the parser reads; source and name are
// required, the rest optional.
type cslColumns struct {
	id, source, entityNumber, typ, programs, name, title, addresses, frNotice,
	startDate, licenseRequirement, licensePolicy, vesselFlag, remarks, altNames,
	citizenships, datesOfBirth, nationalities, ids int
}

func newCSLColumns(header []string) (cslColumns, error) {
	idx := make(map[string]int, len(header))
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	col := func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		return -1
	}
	c := cslColumns{
		id: col("_id"), source: col("source"), entityNumber: col("entity_number"), typ: col("type"),
		programs: col("programs"), name: col("name"), title: col("title"), addresses: col("addresses"),
		frNotice: col("federal_register_notice"), startDate: col("start_date"),
		licenseRequirement: col("license_requirement"), licensePolicy: col("license_policy"),
		vesselFlag: col("vessel_flag"), remarks: col("remarks"), altNames: col("alt_names"),
		citizenships: col("citizenships"), datesOfBirth: col("dates_of_birth"),
		nationalities: col("nationalities"), ids: col("ids"),
	}
	if c.source < 0 || c.name < 0 {
		return c, tollgate.Errorf(tollgate.EINVALID,
			"not a Consolidated Screening List CSV: the header has no %q and %q columns", "source", "name")
	}
	return c, nil
}

// ParseCSL parses the trade.gov Consolidated Screening List CSV (the
// "consolidated.csv" download): a header row, then one row per listing. The
// source column becomes the list code (SDN, EL, DTC, DPL, SSI, UVL, ISN, PLC,
// MEU, CMIC, CAP, NS-MBS, FSE); alt_names, addresses, programs, citizenships
// and nationalities are split on semicolons; addresses are parsed into
// parts with an ISO country code.
func ParseCSL(r io.Reader) (*Result, error) {
	res, err := parseCSL(r)
	if err != nil {
		return nil, fmt.Errorf("lists.ParseCSL: %w", err)
	}
	return res, nil
}

func parseCSL(r io.Reader) (*Result, error) {
	dr := newDigestReader(r)
	res := &Result{Format: FormatCSL, Source: sourceCSL}
	rows := newRowReader(dr, ',', false, &res.Problems, "")
	header, _, err := rows.next()
	if err == io.EOF {
		return nil, tollgate.Errorf(tollgate.EINVALID, "not a Consolidated Screening List CSV: the file is empty")
	}
	if err != nil {
		return nil, err
	}
	header = append([]string(nil), header...)
	cols, err := newCSLColumns(header)
	if err != nil {
		return nil, err
	}
	var latest string
	for {
		rec, line, err := rows.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(header) {
			rows.problem(line, "has %d fields, the header %d; row skipped", len(rec), len(header))
			continue
		}
		e, ok := cslEntity(rec, cols, line, rows)
		if !ok {
			continue
		}
		if len(e.StartDate) == len("2006-01-02") && e.StartDate > latest && e.StartDate[:4] <= "2199" {
			if _, err := time.Parse(time.DateOnly, e.StartDate); err == nil {
				latest = e.StartDate
			}
		}
		res.Entities = append(res.Entities, e)
	}
	if res.Digest, err = dr.sum(); err != nil {
		return nil, err
	}
	if latest != "" {
		res.Published, _ = time.Parse(time.DateOnly, latest)
	}
	return res, nil
}

// cslEntity maps one CSL row; it reports a problem and false when the row
// cannot be used.
func cslEntity(rec []string, c cslColumns, line int, rows *rowReader) (tollgate.Entity, bool) {
	source := field(rec, c.source)
	list, ok := cslListCode(source)
	if !ok {
		rows.problem(line, "unknown source %q; row skipped", source)
		return tollgate.Entity{}, false
	}
	e := tollgate.Entity{
		List:               list,
		SourceID:           field(rec, c.entityNumber),
		Name:               field(rec, c.name),
		AltNames:           splitList(field(rec, c.altNames), ";"),
		Programs:           splitList(field(rec, c.programs), ";"),
		Citation:           field(rec, c.frNotice),
		LicenseRequirement: field(rec, c.licenseRequirement),
		LicensePolicy:      field(rec, c.licensePolicy),
		StartDate:          field(rec, c.startDate),
		BirthDates:         splitList(field(rec, c.datesOfBirth), ";"),
	}
	if e.SourceID == "" {
		e.SourceID = field(rec, c.id)
	}
	if e.Name == "" {
		rows.problem(line, "no name; row skipped")
		return tollgate.Entity{}, false
	}
	if e.SourceID == "" {
		rows.problem(line, "no _id or entity_number; row skipped")
		return tollgate.Entity{}, false
	}
	typ := field(rec, c.typ)
	if t, ok := cslTypes[strings.ToLower(typ)]; ok {
		e.Type = t
	} else if typ != "" {
		rows.problem(line, "unknown type %q; type left empty", typ)
	}
	for _, s := range splitList(field(rec, c.addresses), ";") {
		if a := parseAddressLine(s); !addressEmpty(a) {
			e.Addresses = append(e.Addresses, a)
		}
	}
	e.Countries = addCountries(nil, e.Addresses)
	for _, col := range []int{c.nationalities, c.citizenships, c.vesselFlag} {
		for _, s := range splitList(field(rec, col), ";") {
			if code, ok := CountryCode(s); ok {
				e.Countries = appendUnique(e.Countries, code)
			}
		}
	}
	e.Remarks = joinRemarks(field(rec, c.remarks), "Title", field(rec, c.title), "IDs", field(rec, c.ids))
	return e, true
}

// joinRemarks joins the first text with labelled extra texts, skipping empty
// ones: joinRemarks("x", "Title", "y") is "x; Title: y".
func joinRemarks(first string, labelled ...string) string {
	parts := make([]string, 0, 1+len(labelled)/2)
	if first != "" {
		parts = append(parts, first)
	}
	for i := 0; i+1 < len(labelled); i += 2 {
		if labelled[i+1] != "" {
			parts = append(parts, labelled[i]+": "+labelled[i+1])
		}
	}
	return strings.Join(parts, "; ")
}
