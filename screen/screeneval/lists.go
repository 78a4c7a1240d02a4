package screeneval

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"tollgate"
	"tollgate/screen/lists"
)

// loaded holds the lists an evaluation screens against.
type loaded struct {
	csl  []tollgate.Entity // the Consolidated Screening List
	un   []tollgate.Entity // the UN consolidated list
	all  []tollgate.Entity // CSL, OFAC (newest), UN and DPL together
	info []ListInfo
}

// ListFiles returns the list files an evaluation and the benchmark load from
// dir (../shared/data/lists): the newest CSL, the newest OFAC directory, the
// newest UN XML and the newest DPL, by name. A kind with no file is "".
func ListFiles(dir string) (csl, ofac, un, dpl string) {
	return newest(dir, "csl/*.csv*"), newest(dir, "ofac/*"), newest(dir, "un/*.xml"), newest(dir, "bis-dpl/*.txt")
}

func newest(dir, pattern string) string {
	paths := glob(dir, pattern)
	if len(paths) == 0 {
		return ""
	}
	return paths[len(paths)-1]
}

// loadLists loads the CSL, OFAC, UN and DPL files under dataDir.
func loadLists(dataDir string) (*loaded, error) {
	csl, ofac, un, dpl := ListFiles(filepath.Join(dataDir, "lists"))
	if csl == "" || un == "" {
		return nil, fmt.Errorf("no CSL or UN list under %s", filepath.Join(dataDir, "lists"))
	}
	ls := &loaded{}
	for _, p := range []string{csl, ofac, un, dpl} {
		if p == "" {
			continue
		}
		res, err := lists.Load(p)
		if err != nil {
			return nil, err
		}
		ls.info = append(ls.info, ListInfo{Path: p, Format: string(res.Format), Entities: len(res.Entities), Problems: len(res.Problems)})
		switch p {
		case csl:
			ls.csl = res.Entities
		case un:
			ls.un = res.Entities
		}
		ls.all = append(ls.all, res.Entities...)
	}
	return ls, nil
}

// table is a CSV file read into rows addressed by column name.
type table struct {
	path string
	cols map[string]int
	rows [][]string
}

// readTable reads a CSV file with a header row, requiring the named columns.
func readTable(path string, required ...string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	t := &table{path: path, cols: make(map[string]int)}
	for i, h := range header {
		t.cols[h] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return nil, fmt.Errorf("%s: no %q column", path, c)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		t.rows = append(t.rows, rec)
	}
	return t, nil
}

// get returns the named column of row i, or "".
func (t *table) get(i int, col string) string {
	c, ok := t.cols[col]
	if !ok || c >= len(t.rows[i]) {
		return ""
	}
	return t.rows[i][c]
}

// fileLabel is the file name reports use.
func fileLabel(path string) string { return filepath.Base(path) }
