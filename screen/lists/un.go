package lists

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"tollgate"
)

// unRecord is one INDIVIDUAL or ENTITY of the UN consolidated list.
type unRecord struct {
	DataID         string      `xml:"DATAID"`
	First          string      `xml:"FIRST_NAME"`
	Second         string      `xml:"SECOND_NAME"`
	Third          string      `xml:"THIRD_NAME"`
	Fourth         string      `xml:"FOURTH_NAME"`
	ListType       string      `xml:"UN_LIST_TYPE"`
	Reference      string      `xml:"REFERENCE_NUMBER"`
	ListedOn       string      `xml:"LISTED_ON"`
	Comments       string      `xml:"COMMENTS1"`
	OriginalScript string      `xml:"NAME_ORIGINAL_SCRIPT"`
	Titles         []string    `xml:"TITLE>VALUE"`
	Designations   []string    `xml:"DESIGNATION>VALUE"`
	Nationalities  []string    `xml:"NATIONALITY>VALUE"`
	Aliases        []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases  []unAlias   `xml:"ENTITY_ALIAS"`
	Addresses      []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntityAddrs    []unAddress `xml:"ENTITY_ADDRESS"`
	BirthDates     []unDate    `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type unAddress struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Zip     string `xml:"ZIP_CODE"`
	Country string `xml:"COUNTRY"`
}

type unDate struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

// ParseUN parses the UN Security Council consolidated list XML
// (CONSOLIDATED_LIST with INDIVIDUALS and ENTITIES), record by record with a
// streaming decoder. FIRST_NAME to FOURTH_NAME make the name; aliases of
// quality "Low" become WeakAltNames, the others and the name in original
// script AltNames; REFERENCE_NUMBER is the SourceID, UN_LIST_TYPE the
// program, LISTED_ON the start date, dateGenerated the publication date. The
// list code is "UN". An XML syntax error ends the parse with a problem
// naming its line; the records before it are kept.
func ParseUN(r io.Reader) (*Result, error) {
	res, err := parseUN(r)
	if err != nil {
		return nil, fmt.Errorf("lists.ParseUN: %w", err)
	}
	return res, nil
}

func parseUN(r io.Reader) (*Result, error) {
	dr := newDigestReader(r)
	res := &Result{Format: FormatUN, Source: sourceUN}
	dec := xml.NewDecoder(dr)
	dec.CharsetReader = charsetReader
	problem := func(line int, format string, args ...any) {
		res.Problems = append(res.Problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	root := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !root {
				return nil, tollgate.Errorf(tollgate.EINVALID, "not the UN consolidated list XML: %v", err)
			}
			line, _ := dec.InputPos()
			problem(line, "XML syntax error (%v); the rest of the file was not read", err)
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !root {
			if se.Name.Local != "CONSOLIDATED_LIST" {
				return nil, tollgate.Errorf(tollgate.EINVALID,
					"not the UN consolidated list XML: the root element is %s, not CONSOLIDATED_LIST", se.Name.Local)
			}
			root = true
			res.Published = unDateGenerated(se)
			continue
		}
		if se.Name.Local != "INDIVIDUAL" && se.Name.Local != "ENTITY" {
			continue
		}
		line, _ := dec.InputPos()
		var rec unRecord
		if err := dec.DecodeElement(&rec, &se); err != nil {
			problem(line, "%s record: XML error (%v); the rest of the file was not read", se.Name.Local, err)
			break
		}
		if e, msg := unEntity(&rec, se.Name.Local == "INDIVIDUAL"); msg != "" {
			problem(line, "%s", msg)
		} else {
			res.Entities = append(res.Entities, e)
		}
	}
	if !root {
		return nil, tollgate.Errorf(tollgate.EINVALID, "not the UN consolidated list XML: no CONSOLIDATED_LIST element")
	}
	var err error
	if res.Digest, err = dr.sum(); err != nil {
		return nil, err
	}
	return res, nil
}

func unDateGenerated(se xml.StartElement) time.Time {
	for _, a := range se.Attr {
		if a.Name.Local == "dateGenerated" {
			if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(a.Value)); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// unEntity maps one record; a non-empty message says why it was skipped.
func unEntity(rec *unRecord, individual bool) (tollgate.Entity, string) {
	var name []string
	for _, part := range []string{rec.First, rec.Second, rec.Third, rec.Fourth} {
		if part = cleanText(part); part != "" {
			name = append(name, part)
		}
	}
	e := tollgate.Entity{
		List:      "UN",
		SourceID:  cleanText(rec.Reference),
		Name:      strings.Join(name, " "),
		Type:      tollgate.EntityOrganization,
		StartDate: cleanText(rec.ListedOn),
	}
	if individual {
		e.Type = tollgate.EntityPerson
	}
	if e.SourceID == "" {
		e.SourceID = cleanText(rec.DataID)
	}
	if e.SourceID == "" {
		return e, fmt.Sprintf("record %q has no REFERENCE_NUMBER or DATAID; skipped", e.Name)
	}
	if e.Name == "" {
		return e, fmt.Sprintf("record %s has no name; skipped", e.SourceID)
	}
	e.Programs = appendUnique(nil, cleanText(rec.ListType))
	for _, a := range append(rec.Aliases, rec.EntityAliases...) {
		alias := cleanText(a.Name)
		if strings.EqualFold(cleanText(a.Quality), "low") {
			e.WeakAltNames = appendUnique(e.WeakAltNames, alias)
		} else if alias != e.Name {
			e.AltNames = appendUnique(e.AltNames, alias)
		}
	}
	e.AltNames = appendUnique(e.AltNames, cleanText(rec.OriginalScript))
	for _, a := range append(rec.Addresses, rec.EntityAddrs...) {
		addr := tollgate.Address{Street: cleanText(a.Street), City: cleanText(a.City),
			State: cleanText(a.State), PostalCode: cleanText(a.Zip)}
		addr.Country, _ = CountryCode(cleanText(a.Country))
		if !addressEmpty(addr) {
			e.Addresses = append(e.Addresses, addr)
		}
	}
	for _, n := range rec.Nationalities {
		if code, ok := CountryCode(cleanText(n)); ok {
			e.Countries = appendUnique(e.Countries, code)
		}
	}
	e.Countries = addCountries(e.Countries, e.Addresses)
	for _, d := range rec.BirthDates {
		e.BirthDates = appendUnique(e.BirthDates, unBirthDate(d))
	}
	e.Remarks = joinRemarks(cleanText(rec.Comments),
		"Title", cleanText(strings.Join(rec.Titles, "; ")),
		"Designation", cleanText(strings.Join(rec.Designations, "; ")))
	return e, ""
}

// unBirthDate renders one INDIVIDUAL_DATE_OF_BIRTH: an exact date, a year,
// or a range of years.
func unBirthDate(d unDate) string {
	switch from, to := cleanText(d.FromYear), cleanText(d.ToYear); {
	case cleanText(d.Date) != "":
		return cleanText(d.Date)
	case cleanText(d.Year) != "":
		return cleanText(d.Year)
	case from != "" && to != "":
		return from + " to " + to
	default:
		return from + to
	}
}

// charsetReader lets the decoder read XML declared as ISO-8859-1 or
// Windows-1252; UTF-8 needs no conversion.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		return strings.NewReader(decodeWindows1252(b)), nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q", charset)
}
