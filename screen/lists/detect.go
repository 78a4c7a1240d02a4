package lists

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"

	"tollgate"
)

// sniff tells a file's format from its first bytes (decompressed) and its
// base name.
func sniff(name string, head []byte) (Format, error) {
	head = bytes.TrimPrefix(head, utf8BOM)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return "", tollgate.Errorf(tollgate.EINVALID, "%s: the file is empty", name)
	}
	if trimmed[0] == '<' {
		if bytes.Contains(head, []byte("<CONSOLIDATED_LIST")) {
			return FormatUN, nil
		}
		return "", tollgate.Errorf(tollgate.EINVALID,
			"%s: an XML file, but not the UN consolidated list (no CONSOLIDATED_LIST element)", name)
	}
	firstLine, _, _ := bytes.Cut(trimmed, []byte("\n"))
	if bytes.Contains(firstLine, []byte("\t")) {
		if isDPLHeader(splitTabHeader(string(firstLine))) {
			return FormatDPL, nil
		}
	}
	if f, ok := sniffCSV(name, trimmed); ok {
		return f, nil
	}
	lower := strings.ToLower(name)
	for _, side := range []string{"add.csv", "alt.csv", "sdn_comments.csv"} {
		if strings.HasPrefix(lower, side) {
			return "", tollgate.Errorf(tollgate.EINVALID,
				"%s: this is one of OFAC's side files; load its directory or its sdn.csv", name)
		}
	}
	return "", tollgate.Errorf(tollgate.EINVALID,
		"%s: not a list format tollgate reads (CSL CSV, OFAC sdn.csv, UN XML, DPL text, or a custom CSV with a name column)", name)
}

// sniffCSV recognises the CSV formats by their first record.
func sniffCSV(name string, head []byte) (Format, bool) {
	cr := csv.NewReader(bytes.NewReader(head))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rec, err := cr.Read()
	if err != nil || len(rec) == 0 {
		return "", false
	}
	cols := make(map[string]bool, len(rec))
	for _, h := range rec {
		cols[strings.ToLower(strings.TrimSpace(h))] = true
	}
	switch {
	case cols["source"] && cols["name"] && (cols["alt_names"] || cols["_id"]):
		return FormatCSL, true
	case isCustomHeader(rec):
		return FormatCustom, true
	case len(rec) == ofacSDNFields && isDigits(strings.TrimSpace(rec[0])):
		return FormatOFAC, true
	}
	if strings.HasPrefix(strings.ToLower(name), "sdn.csv") && len(rec) == ofacSDNFields {
		return FormatOFAC, true
	}
	return "", false
}

func splitTabHeader(line string) []string {
	fields := strings.Split(strings.TrimRight(line, "\r"), "\t")
	for i, f := range fields {
		fields[i] = strings.Trim(strings.TrimSpace(f), `"`)
	}
	return fields
}

// findFile returns the path of the file in dir whose name equals name
// ignoring case (OFAC publishes both sdn.csv and SDN.CSV), or "".
func findFile(dir, name string) string {
	exact := filepath.Join(dir, name)
	if fi, err := os.Stat(exact); err == nil && fi.Mode().IsRegular() {
		return exact
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), name) && e.Type().IsRegular() {
			return filepath.Join(dir, e.Name())
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
