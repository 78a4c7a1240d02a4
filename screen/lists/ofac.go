package lists

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"tollgate"
)

// Column counts of OFAC's legacy files (they have no header row).
const (
	ofacSDNFields      = 12 // ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
	ofacAddFields      = 6  // ent_num, add_num, address, city/state/zip, country, add_remarks
	ofacAltFields      = 5  // ent_num, alt_num, alt_type, alt_name, alt_remarks
	ofacCommentsFields = 2  // ent_num, remarks continued
)

// The names of OFAC's files, in the order the digest lists them.
var ofacFileNames = [4]string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"}

var ofacTypes = map[string]tollgate.EntityType{
	"individual": tollgate.EntityPerson,
	"":           tollgate.EntityOrganization, // "-0-"
	"entity":     tollgate.EntityOrganization,
	"vessel":     tollgate.EntityVessel,
	"aircraft":   tollgate.EntityAircraft,
}

// ParseOFAC parses OFAC's SDN list in its legacy CSV form: sdn.csv (one row
// per listing), and when not nil add.csv (addresses) and alt.csv (aliases),
// joined on ent_num. "-0-" means empty. Aliases from alt.csv become AltNames;
// the weak a.k.a.s OFAC writes in the remarks become WeakAltNames;
// nationality, citizenship and dates of birth are read from the remarks too.
// Every entity's list code is "SDN".
func ParseOFAC(sdn, add, alt io.Reader) (*Result, error) {
	res, err := parseOFAC([4]io.Reader{sdn, add, alt, nil})
	if err != nil {
		return nil, fmt.Errorf("lists.ParseOFAC: %w", err)
	}
	return res, nil
}

// ofacParse holds the state of one OFAC parse.
type ofacParse struct {
	res     *Result
	byNum   map[string]int // ent_num → index in res.Entities
	remarks []string       // raw remarks per entity, completed by sdn_comments.csv
}

// parseOFAC reads the files in the order of ofacFileNames; all but sdn.csv
// may be nil.
func parseOFAC(files [4]io.Reader) (*Result, error) {
	if files[0] == nil {
		return nil, tollgate.Errorf(tollgate.EINVALID, "sdn.csv is required")
	}
	p := &ofacParse{res: &Result{Format: FormatOFAC, Source: sourceOFAC}, byNum: map[string]int{}}
	readers := [4]func(*rowReader) error{p.readSDN, p.readAdd, p.readAlt, p.readComments}
	var sums [4]string
	// sdn.csv first, then sdn_comments.csv (it completes remarks), then the rest.
	for _, i := range []int{0, 3, 1, 2} {
		if files[i] == nil {
			continue
		}
		dr := newDigestReader(files[i])
		prefix := ""
		if i > 0 {
			prefix = ofacFileNames[i] + ": "
		}
		if err := readers[i](newRowReader(dr, ',', false, &p.res.Problems, prefix)); err != nil {
			return nil, err
		}
		var err error
		if sums[i], err = dr.sum(); err != nil {
			return nil, err
		}
	}
	p.res.Digest = ofacDigest(sums)
	for i := range p.res.Entities {
		applyOFACRemarks(&p.res.Entities[i], p.remarks[i])
	}
	return p.res, nil
}

// ofacRows calls fn for each record of the file with the wanted field count
// and a numeric ent_num, and reports the others.
func ofacRows(rows *rowReader, fields int, fn func(rec []string, line int)) (seen int, err error) {
	for {
		rec, line, err := rows.next()
		if err == io.EOF {
			return seen, nil
		}
		if err != nil {
			return seen, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "\x1a" {
			continue // the DOS end-of-file mark OFAC's files end with
		}
		seen++
		if len(rec) != fields {
			rows.problem(line, "has %d fields, want %d; row skipped", len(rec), fields)
			continue
		}
		if !isDigits(strings.TrimSpace(rec[0])) {
			rows.problem(line, "ent_num %q is not a number; row skipped", field(rec, 0))
			continue
		}
		fn(rec, line)
	}
}

// ofacField is field with OFAC's "-0-" read as empty.
func ofacField(rec []string, i int) string {
	v := field(rec, i)
	if v == "-0-" {
		return ""
	}
	return v
}

func (p *ofacParse) readSDN(rows *rowReader) error {
	seen, err := ofacRows(rows, ofacSDNFields, func(rec []string, line int) {
		num := strings.TrimSpace(rec[0])
		if _, dup := p.byNum[num]; dup {
			rows.problem(line, "duplicate ent_num %s; row skipped", num)
			return
		}
		e := tollgate.Entity{List: "SDN", SourceID: num, Name: ofacField(rec, 1)}
		if e.Name == "" {
			rows.problem(line, "ent_num %s has no name; row skipped", num)
			return
		}
		typ := ofacField(rec, 2)
		if t, ok := ofacTypes[strings.ToLower(typ)]; ok {
			e.Type = t
		} else {
			rows.problem(line, "ent_num %s: unknown SDN_Type %q; type left empty", num, typ)
		}
		for prog := range strings.SplitSeq(ofacField(rec, 3), "] [") {
			e.Programs = appendUnique(e.Programs, strings.Trim(prog, "[] "))
		}
		if code, ok := CountryCode(ofacField(rec, 9)); ok {
			e.Countries = appendUnique(e.Countries, code)
		}
		e.Remarks = joinRemarks("", "Title", ofacField(rec, 4), "Call sign", ofacField(rec, 5),
			"Vessel type", ofacField(rec, 6), "Tonnage", ofacField(rec, 7), "GRT", ofacField(rec, 8),
			"Flag", ofacField(rec, 9), "Owner", ofacField(rec, 10))
		p.byNum[num] = len(p.res.Entities)
		p.res.Entities = append(p.res.Entities, e)
		// Kept raw: sdn_comments.csv may continue it mid-word, spaces included.
		remarks := rec[11]
		if strings.TrimSpace(remarks) == "-0-" {
			remarks = ""
		}
		p.remarks = append(p.remarks, remarks)
	})
	if err != nil {
		return err
	}
	if seen == 0 {
		return tollgate.Errorf(tollgate.EINVALID, "not an OFAC sdn.csv: the file has no rows")
	}
	if len(p.res.Entities) == 0 {
		return tollgate.Errorf(tollgate.EINVALID,
			"not an OFAC sdn.csv: none of its %d rows has the %d columns ent_num, SDN_Name, … Remarks", seen, ofacSDNFields)
	}
	return nil
}

// entity returns the entity with the record's ent_num, reporting a problem
// when there is none.
func (p *ofacParse) entity(rows *rowReader, rec []string, line int, what string) int {
	num := strings.TrimSpace(rec[0])
	i, ok := p.byNum[num]
	if !ok {
		rows.problem(line, "%s for ent_num %s, which sdn.csv does not list; row skipped", what, num)
		return -1
	}
	return i
}

func (p *ofacParse) readComments(rows *rowReader) error {
	_, err := ofacRows(rows, ofacCommentsFields, func(rec []string, line int) {
		if i := p.entity(rows, rec, line, "remarks"); i >= 0 {
			// The file continues remarks that sdn.csv cut off mid-word.
			p.remarks[i] += rec[1]
		}
	})
	return err
}

func (p *ofacParse) readAdd(rows *rowReader) error {
	_, err := ofacRows(rows, ofacAddFields, func(rec []string, line int) {
		i := p.entity(rows, rec, line, "address")
		if i < 0 {
			return
		}
		a := tollgate.Address{Street: ofacField(rec, 2)}
		a.City, a.State, a.PostalCode = splitCityLine(ofacField(rec, 3))
		a.Country, _ = CountryCode(ofacField(rec, 4))
		if addressEmpty(a) {
			return // OFAC writes "-0-" in every column for an unknown address
		}
		e := &p.res.Entities[i]
		e.Addresses = append(e.Addresses, a)
		e.Countries = appendUnique(e.Countries, a.Country)
	})
	return err
}

func (p *ofacParse) readAlt(rows *rowReader) error {
	_, err := ofacRows(rows, ofacAltFields, func(rec []string, line int) {
		i := p.entity(rows, rec, line, "alias")
		if i < 0 {
			return
		}
		name := ofacField(rec, 3)
		if name == "" {
			rows.problem(line, "alias of ent_num %s has no name; row skipped", strings.TrimSpace(rec[0]))
			return
		}
		e := &p.res.Entities[i]
		if strings.EqualFold(ofacField(rec, 2), "weak aka") {
			e.WeakAltNames = appendUnique(e.WeakAltNames, name)
			return
		}
		e.AltNames = appendUnique(e.AltNames, name)
	})
	return err
}

// applyOFACRemarks reads what is cheap and useful from an entity's remarks:
// the weak aliases ("a.k.a. 'EL FANTASMA'"), nationality and citizenship
// (into Countries) and dates of birth; the remarks themselves are kept.
func applyOFACRemarks(e *tollgate.Entity, remarks string) {
	remarks = cleanText(remarks)
	if remarks == "" {
		return
	}
	for item := range strings.SplitSeq(remarks, ";") {
		item = strings.TrimSuffix(strings.TrimSpace(item), ".")
		item = strings.TrimPrefix(item, "alt. ")
		key, value, _ := strings.Cut(item, " ")
		switch key {
		case "a.k.a.", "f.k.a.", "n.k.a.":
			if open, closing := strings.IndexByte(value, '\''), strings.LastIndexByte(value, '\''); open >= 0 && closing > open+1 {
				e.WeakAltNames = appendUnique(e.WeakAltNames, cleanText(value[open+1:closing]))
			}
		case "nationality", "citizen":
			if code, ok := CountryCode(value); ok {
				e.Countries = appendUnique(e.Countries, code)
			}
		case "DOB":
			e.BirthDates = appendUnique(e.BirthDates, normalizeDMY(value))
		}
	}
	if e.Remarks == "" {
		e.Remarks = remarks
	} else {
		e.Remarks = remarks + "; " + e.Remarks
	}
}

// ofacDigest combines the files' digests the way
// `sha256sum sdn.csv add.csv alt.csv sdn_comments.csv | sha256sum` does;
// an empty sum marks a file that was not read.
func ofacDigest(sums [4]string) string {
	h := sha256.New()
	for i, sum := range sums {
		if sum != "" {
			fmt.Fprintf(h, "%s  %s\n", sum, ofacFileNames[i])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// loadOFACDir loads the OFAC files of a directory.
func loadOFACDir(dir string) (*Result, error) {
	sdn := findFile(dir, ofacFileNames[0])
	if sdn == "" {
		return nil, tollgate.Errorf(tollgate.EINVALID,
			"%s: a directory is read as OFAC's legacy files, but it holds no sdn.csv", dir)
	}
	raw, err := os.ReadFile(sdn)
	if err != nil {
		return nil, err
	}
	data, err := gunzip(raw)
	if err != nil {
		return nil, tollgate.Errorf(tollgate.EINVALID, "%s: %v", sdn, err)
	}
	return loadOFACFiles(dir, raw, data)
}

// loadOFACFile loads an sdn.csv file given by path; the side files beside it
// are read only when the file is named sdn.csv, so that an sdn.csv kept under
// another name is never joined with another version's add.csv.
func loadOFACFile(path string, raw, data []byte) (*Result, error) {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), ".gz")
	if base != ofacFileNames[0] {
		return loadOFACFiles("", raw, data)
	}
	return loadOFACFiles(filepath.Dir(path), raw, data)
}

// loadOFACFiles parses sdn.csv's bytes with the side files found in dir
// (none when dir is ""). The digest covers the files' bytes as stored.
func loadOFACFiles(dir string, sdnRaw, sdnData []byte) (*Result, error) {
	var files [4]io.Reader
	var sums [4]string
	files[0], sums[0] = bytes.NewReader(sdnData), hexSHA256(sdnRaw)
	for i := 1; i < len(ofacFileNames) && dir != ""; i++ {
		path := findFile(dir, ofacFileNames[i])
		if path == "" {
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		data, err := gunzip(raw)
		if err != nil {
			return nil, tollgate.Errorf(tollgate.EINVALID, "%s: %v", path, err)
		}
		files[i], sums[i] = bytes.NewReader(data), hexSHA256(raw)
	}
	res, err := parseOFAC(files)
	if err != nil {
		return nil, err
	}
	res.Digest = ofacDigest(sums)
	return res, nil
}
