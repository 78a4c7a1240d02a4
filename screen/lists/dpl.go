package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"tollgate"
)

// dplColumns are the Denied Persons List columns the parser reads.
type dplColumns struct {
	name, street, city, state, country, postal, effective, expiration, standard, lastUpdate, citation int
}

// isDPLHeader reports whether a header row is the DPL's.
func isDPLHeader(header []string) bool {
	c := newDPLColumns(header)
	return c.name >= 0 && (c.citation >= 0 || c.effective >= 0)
}

func newDPLColumns(header []string) dplColumns {
	idx := make(map[string]int, len(header))
	for i, h := range header {
		idx[strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))] = i
	}
	col := func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		return -1
	}
	return dplColumns{
		name: col("name"), street: col("street_address"), city: col("city"), state: col("state"),
		country: col("country"), postal: col("postal_code"), effective: col("effective_date"),
		expiration: col("expiration_date"), standard: col("standard_order"),
		lastUpdate: col("last_update"), citation: col("fr_citation"),
	}
}

// ParseDPL parses the BIS Denied Persons List text file: tab-separated,
// quoted fields, a header row (Name, Street_Address, City, State, Country,
// Postal_Code, Effective_Date, Expiration_Date, Standard_Order, Last_Update,
// Action, FR_Citation). The DPL gives one row per address, so consecutive
// rows with the same name and effective date make one entity with several
// addresses. The list code is "DPL"; Effective_Date is the start date and
// FR_Citation the citation; the latest Last_Update is the publication date.
func ParseDPL(r io.Reader) (*Result, error) {
	res, err := parseDPL(r)
	if err != nil {
		return nil, fmt.Errorf("lists.ParseDPL: %w", err)
	}
	return res, nil
}

func parseDPL(r io.Reader) (*Result, error) {
	dr := newDigestReader(r)
	res := &Result{Format: FormatDPL, Source: sourceDPL}
	rows := newRowReader(dr, '\t', true, &res.Problems, "")
	header, _, err := rows.next()
	if err == io.EOF {
		return nil, tollgate.Errorf(tollgate.EINVALID, "not a Denied Persons List file: the file is empty")
	}
	if err != nil {
		return nil, err
	}
	header = append([]string(nil), header...)
	if !isDPLHeader(header) {
		return nil, tollgate.Errorf(tollgate.EINVALID,
			"not a Denied Persons List file: the header has no Name and FR_Citation or Effective_Date columns")
	}
	c := newDPLColumns(header)
	var groupKey string
	var latest time.Time
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
		name := field(rec, c.name)
		if name == "" {
			rows.problem(line, "no name; row skipped")
			continue
		}
		addr := dplAddress(rec, c)
		effective := field(rec, c.effective)
		if key := name + "\x00" + effective; key == groupKey && len(res.Entities) > 0 {
			e := &res.Entities[len(res.Entities)-1]
			if !addressEmpty(addr) {
				e.Addresses = append(e.Addresses, addr)
				e.Countries = appendUnique(e.Countries, addr.Country)
			}
		} else {
			groupKey = key
			res.Entities = append(res.Entities, dplEntity(rec, c, name, addr, line, rows))
		}
		if t, err := time.Parse(time.DateOnly, field(rec, c.lastUpdate)); err == nil && t.After(latest) && t.Year() < 2200 {
			latest = t
		}
	}
	if res.Digest, err = dr.sum(); err != nil {
		return nil, err
	}
	res.Published = latest
	return res, nil
}

// dplEntity makes the entity of a group's first row.
func dplEntity(rec []string, c dplColumns, name string, addr tollgate.Address, line int, rows *rowReader) tollgate.Entity {
	effective := field(rec, c.effective)
	// The DPL has no record ids; the name and effective date identify an
	// order, and stay the same from one edition to the next.
	sum := sha256.Sum256([]byte(name + "\x00" + effective))
	e := tollgate.Entity{
		List:     "DPL",
		SourceID: hex.EncodeToString(sum[:8]),
		Name:     name,
		Citation: field(rec, c.citation),
	}
	if effective != "" {
		if iso, ok := normalizeMDY(effective); ok {
			e.StartDate = iso
		} else {
			e.StartDate = effective
			rows.problem(line, "Effective_Date %q is not MM/DD/YYYY; kept as written", effective)
		}
	}
	if !addressEmpty(addr) {
		e.Addresses = []tollgate.Address{addr}
		e.Countries = appendUnique(nil, addr.Country)
	}
	expires := field(rec, c.expiration)
	if iso, ok := normalizeMDY(expires); ok {
		expires = iso
	}
	standard := ""
	if strings.EqualFold(field(rec, c.standard), "N") {
		standard = "non-standard order"
	}
	e.Remarks = joinRemarks(standard, "Expires", expires)
	return e
}

// dplAddress reads a row's address; a row with no country and a US state
// abbreviation is in the United States.
func dplAddress(rec []string, c dplColumns) tollgate.Address {
	a := tollgate.Address{
		Street:     field(rec, c.street),
		City:       field(rec, c.city),
		State:      field(rec, c.state),
		PostalCode: field(rec, c.postal),
	}
	country := field(rec, c.country)
	if code, ok := CountryCode(country); ok {
		a.Country = code
	} else if country == "" && usStates[a.State] {
		a.Country = "US"
	}
	return a
}
