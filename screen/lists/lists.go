// Package lists parses the real restricted-party list formats into the one
// entity model, tollgate.Entity: the trade.gov Consolidated Screening List
// (CSV, plain or gzip), OFAC's legacy SDN files (sdn.csv with add.csv,
// alt.csv and sdn_comments.csv), the UN Security Council consolidated list
// (XML), the BIS Denied Persons List (tab-separated text) and a simple CSV for
// a user's internal list.
//
// Every parser keeps going past a malformed row: the row is reported in
// Result.Problems with its line number, never silently dropped, and no input
// makes a parser panic (each has a fuzz test). A file that is not the format
// at all is an error. Parsers read neither the environment nor the clock.
package lists

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"tollgate"
)

// Format names a list file format.
type Format string

// The formats this package reads.
const (
	FormatCSL    Format = "csl"    // trade.gov Consolidated Screening List CSV
	FormatOFAC   Format = "ofac"   // OFAC legacy SDN CSV files
	FormatUN     Format = "un"     // UN Security Council consolidated list XML
	FormatDPL    Format = "dpl"    // BIS Denied Persons List, tab-separated
	FormatCustom Format = "custom" // a user's internal list, CSV
)

// Source labels, as Result.Source reports them.
const (
	sourceCSL    = "Consolidated Screening List (trade.gov)"
	sourceOFAC   = "OFAC SDN List (treasury.gov, legacy CSV)"
	sourceUN     = "UN Security Council Consolidated List (un.org)"
	sourceDPL    = "Denied Persons List (BIS)"
	sourceCustom = "Internal list"
)

// Problem is one malformed row that a parser reported instead of dropping it
// silently.
type Problem struct {
	// Line is the 1-based line of the row in its file (for XML, the line
	// where the record starts).
	Line int `json:"line"`
	// Message says what is wrong and whether the row was skipped or kept.
	Message string `json:"message"`
}

// Result is one parsed list file (or, for OFAC, one set of files).
type Result struct {
	Format Format `json:"format"`
	// Source is a human label of the publisher, e.g. "Consolidated
	// Screening List (trade.gov)".
	Source string `json:"source"`
	// Path is the file or directory Load read; empty from the Parse
	// functions.
	Path string `json:"path,omitempty"`
	// Digest is the hex SHA-256 of the file's bytes as stored (a .gz file's
	// compressed bytes). For OFAC it is the SHA-256 of the lines
	// "<hex sha256>  <name>\n" of each file read, in the order sdn.csv,
	// add.csv, alt.csv, sdn_comments.csv: exactly what
	// `sha256sum sdn.csv add.csv alt.csv sdn_comments.csv | sha256sum`
	// prints for the files present.
	Digest string `json:"digest"`
	// Published is the list's publication date when the file states it
	// (UN dateGenerated) or its latest recorded date (DPL last update, CSL
	// start date); Load falls back to a date in the file or directory name
	// ("2024-05-03", "2022-04"). Zero when unknown.
	Published time.Time         `json:"published,omitzero"`
	Entities  []tollgate.Entity `json:"entities,omitempty"`
	// Problems are the malformed rows, in file order.
	Problems []Problem `json:"problems,omitempty"`
}

// Counts returns the number of entities per list code (Entity.List).
func (r *Result) Counts() map[string]int {
	m := make(map[string]int)
	for i := range r.Entities {
		m[r.Entities[i].List]++
	}
	return m
}

// Uncited returns how many entries of an internal list (FormatCustom) cite
// no source. An official list is its own source; an internal list is the
// user's file, whose entries should each cite theirs (a Federal Register
// notice), so that a block made on one can be defended. 0 for the other
// formats.
func (r *Result) Uncited() int {
	if r.Format != FormatCustom {
		return 0
	}
	n := 0
	for i := range r.Entities {
		if r.Entities[i].Citation == "" {
			n++
		}
	}
	return n
}

// Load detects the format of the file or directory at path and parses it. A
// gzip-compressed file is read transparently. For OFAC, path is a directory
// holding sdn.csv or the sdn.csv file itself; add.csv, alt.csv and
// sdn_comments.csv beside it are used when present.
func Load(path string) (*Result, error) {
	res, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("lists.Load: %w", err)
	}
	res.Path = path
	if res.Published.IsZero() {
		res.Published = dateInPath(path)
	}
	return res, nil
}

func load(path string) (*Result, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, tollgate.Errorf(tollgate.ENOTFOUND, "%s: %v", path, unwrapPathError(err))
	}
	if fi.IsDir() {
		return loadOFACDir(path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data, err := gunzip(raw)
	if err != nil {
		return nil, tollgate.Errorf(tollgate.EINVALID, "%s: %v", path, err)
	}
	format, err := sniff(filepath.Base(path), data)
	if err != nil {
		return nil, err
	}
	var res *Result
	switch format {
	case FormatOFAC:
		return loadOFACFile(path, raw, data)
	case FormatCSL:
		res, err = ParseCSL(bytes.NewReader(data))
	case FormatUN:
		res, err = ParseUN(bytes.NewReader(data))
	case FormatDPL:
		res, err = ParseDPL(bytes.NewReader(data))
	case FormatCustom:
		res, err = ParseCustom(bytes.NewReader(data))
	}
	if err != nil {
		return nil, err
	}
	res.Digest = hexSHA256(raw)
	return res, nil
}

// Detect reports the format of the file or directory at path, by its content
// (a header row, the XML root, the shape of the first record) and its name. A
// directory holding sdn.csv is OFAC.
func Detect(path string) (Format, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("lists.Detect: %w", tollgate.Errorf(tollgate.ENOTFOUND, "%s: %v", path, unwrapPathError(err)))
	}
	if fi.IsDir() {
		if findFile(path, "sdn.csv") == "" {
			return "", fmt.Errorf("lists.Detect: %w", tollgate.Errorf(tollgate.EINVALID,
				"%s: a directory is read as OFAC's legacy files, but it holds no sdn.csv", path))
		}
		return FormatOFAC, nil
	}
	head, err := readHead(path, 1<<16)
	if err != nil {
		return "", fmt.Errorf("lists.Detect: %w", err)
	}
	format, err := sniff(filepath.Base(path), head)
	if err != nil {
		return "", fmt.Errorf("lists.Detect: %w", err)
	}
	return format, nil
}

// readHead returns up to n bytes of the file's content, decompressed when the
// file is gzip.
func readHead(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [2]byte
	k, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var r io.Reader = f
	if k == 2 && magic == [2]byte{0x1f, 0x8b} {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, tollgate.Errorf(tollgate.EINVALID, "%s: %v", path, err)
		}
		r = zr
	}
	head, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil && len(head) == 0 {
		return nil, tollgate.Errorf(tollgate.EINVALID, "%s: %v", path, err)
	}
	return head, nil
}

// gunzip returns data decompressed when it starts with the gzip magic, else
// data itself.
func gunzip(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	// The gzip trailer holds the uncompressed size (mod 2³²): a hint only.
	if n := len(data); n >= 4 {
		size := int(binary.LittleEndian.Uint32(data[n-4:]))
		out.Grow(min(size, 32*n) + bytes.MinRead)
	}
	if _, err := out.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return out.Bytes(), nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

var pathDate = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})-([01][0-9])(?:-([0-3][0-9]))?(?:[^0-9]|$)`)

// dateInPath finds a publication date written in the file's name or its
// directory's name, such as "consolidated-2022-04.csv.gz" or
// "ofac/2024-05-03/sdn.csv".
func dateInPath(path string) time.Time {
	for _, name := range []string{filepath.Base(path), filepath.Base(filepath.Dir(path))} {
		m := pathDate.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		s, layout := m[1]+"-"+m[2], "2006-01"
		if m[3] != "" {
			s, layout = s+"-"+m[3], "2006-01-02"
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// digestReader hashes everything read through it.
type digestReader struct {
	r io.Reader
	h hash.Hash
}

func newDigestReader(r io.Reader) *digestReader {
	return &digestReader{r: r, h: sha256.New()}
}

func (d *digestReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	return n, err
}

// sum drains the rest of the input and returns the hex digest of all of it.
func (d *digestReader) sum() (string, error) {
	if _, err := io.Copy(io.Discard, d); err != nil {
		return "", err
	}
	return hex.EncodeToString(d.h.Sum(nil)), nil
}
