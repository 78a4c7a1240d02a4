package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"tollgate"
)

// customColumnNames are the columns of the internal-list CSV, in the order
// the documentation gives them; only name is required and any order works.
var customColumnNames = []string{"name", "aliases", "type", "country", "citation", "id", "programs", "remarks"}

var customTypes = map[string]tollgate.EntityType{
	"person": tollgate.EntityPerson, "individual": tollgate.EntityPerson,
	"organization": tollgate.EntityOrganization, "organisation": tollgate.EntityOrganization,
	"org": tollgate.EntityOrganization, "entity": tollgate.EntityOrganization, "company": tollgate.EntityOrganization,
	"vessel": tollgate.EntityVessel, "aircraft": tollgate.EntityAircraft,
}

// customColumns maps each known column to its index in the header.
func customColumns(header []string) (map[string]int, error) {
	known := make(map[string]bool, len(customColumnNames))
	for _, n := range customColumnNames {
		known[n] = true
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !known[h] {
			return nil, tollgate.Errorf(tollgate.EINVALID,
				"not an internal-list CSV: unknown column %q (the columns are %s)", h, strings.Join(customColumnNames, ", "))
		}
		if _, dup := cols[h]; dup {
			return nil, tollgate.Errorf(tollgate.EINVALID, "not an internal-list CSV: column %q appears twice", h)
		}
		cols[h] = i
	}
	if _, ok := cols["name"]; !ok {
		return nil, tollgate.Errorf(tollgate.EINVALID, "not an internal-list CSV: the header has no %q column", "name")
	}
	return cols, nil
}

// isCustomHeader reports whether a header row is the internal-list CSV's.
func isCustomHeader(header []string) bool {
	_, err := customColumns(header)
	return err == nil
}

// ParseCustom parses a user's internal list: a CSV file whose header names
// some of the columns name, aliases, type, country, citation, id, programs
// and remarks (name is required). aliases, country and programs hold
// several values separated by semicolons; type is person, organization,
// vessel or aircraft; country is an ISO code or a country name; citation
// carries the Federal Register citation. A row without an id gets one
// derived from its name, type and countries. The list code is "INTERNAL".
func ParseCustom(r io.Reader) (*Result, error) {
	res, err := parseCustom(r)
	if err != nil {
		return nil, fmt.Errorf("lists.ParseCustom: %w", err)
	}
	return res, nil
}

func parseCustom(r io.Reader) (*Result, error) {
	dr := newDigestReader(r)
	res := &Result{Format: FormatCustom, Source: sourceCustom}
	rows := newRowReader(dr, ',', false, &res.Problems, "")
	header, _, err := rows.next()
	if err == io.EOF {
		return nil, tollgate.Errorf(tollgate.EINVALID, "not an internal-list CSV: the file is empty")
	}
	if err != nil {
		return nil, err
	}
	if err := customUTF8(header, 1); err != nil {
		return nil, err
	}
	header = append([]string(nil), header...)
	cols, err := customColumns(header)
	if err != nil {
		return nil, err
	}
	col := func(name string) int {
		if i, ok := cols[name]; ok {
			return i
		}
		return -1
	}
	c := customIndexes{name: col("name"), aliases: col("aliases"), typ: col("type"), country: col("country"),
		citation: col("citation"), id: col("id"), programs: col("programs"), remarks: col("remarks")}
	ids := map[string]int{}
	for {
		rec, line, err := rows.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := customUTF8(rec, line); err != nil {
			return nil, err
		}
		if len(rec) != len(header) {
			rows.problem(line, "has %d fields, the header %d; row skipped", len(rec), len(header))
			continue
		}
		e, ok := customEntity(rec, c, line, rows)
		if !ok {
			continue
		}
		if first, dup := ids[e.SourceID]; dup {
			rows.problem(line, "id %q repeats line %d; row skipped", e.SourceID, first)
			continue
		}
		ids[e.SourceID] = line
		res.Entities = append(res.Entities, e)
	}
	if res.Digest, err = dr.sum(); err != nil {
		return nil, err
	}
	return res, nil
}

// customUTF8 refuses a record that is not UTF-8. An internal list is the
// user's own file: bytes in another encoding (GBK, Big5, Shift JIS,
// Windows-1252) would be read as other characters and match nothing, so
// the file is refused, naming the line, rather than half understood.
func customUTF8(rec []string, line int) error {
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return tollgate.Errorf(tollgate.EINVALID,
				"line %d is not UTF-8 text (the file may be in GBK, Big5, Shift JIS or Windows-1252): save the internal list as UTF-8", line)
		}
	}
	return nil
}

type customIndexes struct {
	name, aliases, typ, country, citation, id, programs, remarks int
}

// customEntity maps one row; false when the row was skipped.
func customEntity(rec []string, c customIndexes, line int, rows *rowReader) (tollgate.Entity, bool) {
	e := tollgate.Entity{
		List:     "INTERNAL",
		SourceID: field(rec, c.id),
		Name:     field(rec, c.name),
		AltNames: splitList(field(rec, c.aliases), ";"),
		Citation: field(rec, c.citation),
		Programs: splitList(field(rec, c.programs), ";"),
		Remarks:  field(rec, c.remarks),
	}
	if e.Name == "" {
		rows.problem(line, "no name; row skipped")
		return e, false
	}
	typ := strings.ToLower(field(rec, c.typ))
	if t, ok := customTypes[typ]; ok {
		e.Type = t
	} else if typ != "" {
		rows.problem(line, "unknown type %q (want person, organization, vessel or aircraft); type left empty", typ)
	}
	for _, s := range splitList(field(rec, c.country), ";") {
		if len(s) == 2 {
			s = strings.ToUpper(s)
		}
		if code, ok := CountryCode(s); ok {
			e.Countries = appendUnique(e.Countries, code)
		} else {
			rows.problem(line, "unknown country %q; left out", s)
		}
	}
	if e.SourceID == "" {
		sum := sha256.Sum256([]byte(e.Name + "\x00" + string(e.Type) + "\x00" + strings.Join(e.Countries, ";")))
		e.SourceID = hex.EncodeToString(sum[:8])
	}
	return e, true
}
