// Command ucdgen generates screen/ucd_tables.go from two files of the
// Unicode Character Database: the confusables of UTS #39 (confusables.txt)
// and DerivedCoreProperties.txt. Unicode's data files are © Unicode, Inc.,
// under the Unicode License (https://www.unicode.org/license.txt); the
// generated tables are derived from them.
//
// It keeps what the screening engine needs, selected by rule:
//
//   - confusables: every non-ASCII code point whose prototype is made of
//     ASCII letters and digits (Cyrillic а → a, Cherokee Ꮋ → H, Armenian
//     ս → u), except those Unicode NFKC already maps (mathematical and
//     full-width letters). An upper-case letter whose lower case has a
//     prototype of its own takes that one (Cyrillic І → i, not the
//     skeleton's l), because the engine reads names in lower case;
//   - default ignorables: the ranges of Default_Ignorable_Code_Point
//     (zero-width spaces and joiners, soft hyphen, word joiner, variation
//     selectors, bidi controls, tag characters).
//
// Usage (see go:generate in screen/confusable.go):
//
//	go run ./internal/ucdgen -ucd DIR -out ucd_tables.go
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func main() {
	ucd := flag.String("ucd", "", "directory holding confusables.txt and DerivedCoreProperties.txt")
	out := flag.String("out", "ucd_tables.go", "the Go file to write")
	flag.Parse()
	if *ucd == "" {
		log.Fatal("ucdgen: -ucd is required (a directory with Unicode's confusables.txt and DerivedCoreProperties.txt)")
	}
	conf, confVersion, err := readConfusables(filepath.Join(*ucd, "confusables.txt"))
	if err != nil {
		log.Fatal(err)
	}
	ign, dcpVersion, err := readIgnorables(filepath.Join(*ucd, "DerivedCoreProperties.txt"))
	if err != nil {
		log.Fatal(err)
	}
	src, err := render(conf, confVersion, ign, dcpVersion)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// lines calls fn with each data line of a UCD file (comments stripped) and
// returns the comment that names its version (a "Version:" line, else the
// first comment line).
func lines(path string, fn func(fields []string) error) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	version := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimPrefix(sc.Text(), "\ufeff")
		if c, ok := strings.CutPrefix(line, "#"); ok && (version == "" || strings.HasPrefix(strings.TrimSpace(c), "Version:")) {
			version = strings.TrimSpace(c)
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, ";")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if err := fn(fields); err != nil {
			return "", fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return version, sc.Err()
}

func parseRunes(s string) ([]rune, error) {
	var rs []rune
	for _, h := range strings.Fields(s) {
		v, err := strconv.ParseUint(h, 16, 32)
		if err != nil {
			return nil, err
		}
		rs = append(rs, rune(v))
	}
	return rs, nil
}

// readConfusables returns the code points whose prototype is ASCII letters
// and digits, with that prototype in lower case.
func readConfusables(path string) (map[rune]string, string, error) {
	proto := make(map[rune]string)
	version, err := lines(path, func(f []string) error {
		if len(f) < 2 {
			return fmt.Errorf("want source ; target")
		}
		src, err := parseRunes(f[0])
		if err != nil || len(src) != 1 {
			return fmt.Errorf("source %q: %v", f[0], err)
		}
		dst, err := parseRunes(f[1])
		if err != nil {
			return fmt.Errorf("target %q: %v", f[1], err)
		}
		var b strings.Builder
		for _, r := range dst {
			if r >= 0x80 || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return nil
			}
			b.WriteRune(unicode.ToLower(r))
		}
		proto[src[0]] = b.String()
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	out := make(map[rune]string)
	for r, p := range proto {
		if r < 0x80 || norm.NFKC.String(string(r)) != string(r) {
			continue
		}
		if lo := unicode.ToLower(r); lo != r {
			if lp, ok := proto[lo]; ok {
				p = lp
			}
		}
		out[r] = p
	}
	return out, version, nil
}

// readIgnorables returns the ranges of Default_Ignorable_Code_Point.
func readIgnorables(path string) ([][2]rune, string, error) {
	var rs [][2]rune
	version, err := lines(path, func(f []string) error {
		if len(f) < 2 || f[1] != "Default_Ignorable_Code_Point" {
			return nil
		}
		lo, hi, _ := strings.Cut(f[0], "..")
		if hi == "" {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 16, 32)
		b, err2 := strconv.ParseUint(hi, 16, 32)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("range %q", f[0])
		}
		rs = append(rs, [2]rune{rune(a), rune(b)})
		return nil
	})
	slices.SortFunc(rs, func(a, b [2]rune) int { return int(a[0] - b[0]) })
	return rs, version, err
}

func render(conf map[rune]string, confVersion string, ign [][2]rune, dcpVersion string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by ucdgen from Unicode's confusables.txt and DerivedCoreProperties.txt; DO NOT EDIT.\n")
	fmt.Fprintf(&b, "// confusables.txt: %s\n// DerivedCoreProperties.txt: %s\n", confVersion, dcpVersion)
	fmt.Fprintf(&b, "// Unicode data © Unicode, Inc., Unicode License (https://www.unicode.org/license.txt).\n\n")
	b.WriteString("package screen\n\n")
	keys := make([]rune, 0, len(conf))
	for r := range conf {
		keys = append(keys, r)
	}
	slices.Sort(keys)
	b.WriteString("// confusableRunes and confusableLatin are the UTS #39 prototypes in ASCII\n// of non-ASCII code points, sorted by code point.\n")
	b.WriteString("var confusableRunes = [...]rune{")
	for i, r := range keys {
		if i%12 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "0x%04X, ", r)
	}
	b.WriteString("\n}\n\nvar confusableLatin = [...]string{")
	for i, r := range keys {
		if i%16 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%q, ", conf[r])
	}
	b.WriteString("\n}\n\n// defaultIgnorable holds the ranges of Default_Ignorable_Code_Point, sorted.\nvar defaultIgnorable = [...][2]rune{")
	for i, r := range ign {
		if i%6 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "{0x%04X, 0x%04X}, ", r[0], r[1])
	}
	b.WriteString("\n}\n")
	return format.Source(b.Bytes())
}
