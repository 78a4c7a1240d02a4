package classify_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt from the current rules and catalog")

// goldenDestinations are the table's destinations: China, Hong Kong and
// Macau; Russia (D:5 throughout) and Cambodia (D:5 until 3 Feb 2026);
// Germany (A:5), and Germany with a China-headquartered end user; the US, and the US with a China-headquartered end user.
var goldenDestinations = []struct{ to, hq, label string }{
	{"CN", "", "CN"},
	{"HK", "", "HK"},
	{"MO", "", "MO"},
	{"RU", "", "RU (D:5)"},
	{"KH", "", "KH (D:5 until 2026-02-03)"},
	{"DE", "", "DE (A:5)"},
	{"DE", "CN", "DE, HQ CN"},
	{"US", "", "US"},
	{"US", "CN", "US, HQ CN"},
}

var goldenDates = []string{"2025-12-01", "2026-03-01"}

// TestGoldenTable classifies every catalog chip for every golden
// destination on both dates, as `tollgate classify CHIP --to X --as-of D`
// does, and compares the table with testdata/golden.txt. Run with -update
// after a deliberate change and review the diff against regime.md.
func TestGoldenTable(t *testing.T) {
	got := goldenTable(t)
	path := filepath.Join("testdata", "golden.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./classify/ -run TestGoldenTable -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			g, w := line(gl, i), line(wl, i)
			if g != w {
				t.Fatalf("golden table differs at line %d:\n got: %s\nwant: %s\n(run with -update after a deliberate change)", i+1, g, w)
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}

func goldenTable(t *testing.T) []byte {
	t.Helper()
	rb := classify.Default()
	var b bytes.Buffer
	b.WriteString(`# tollgate classify CHIP --to X [--hq Y] --as-of D, for every catalog chip (catalog/chips.yaml).
# Check against docs/regime.md: §2 (3A090 thresholds, destinations), §3 (the H200 rule),
# §5 (Section 232 bands, with the default HTS 8473.30), §8 (chips) and §9 (Hong Kong, the
# April 2025 letter, Cambodia, US deliveries, unknown figures).
# Columns: LICENSE yes/no; POLICY the review policy; EXC the eligible license exception;
# S232 the band, heading and rate; UNDETERMINED each point an unknown figure leaves open,
# with the most restrictive outcome assumed in its place.
# Regenerate: go test ./classify/ -run TestGoldenTable -update
`)
	for _, chip := range catalog.Default().Chips() {
		fmt.Fprintf(&b, "\n## %s\n%s\n", chip.Name(), figures(chip))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "AS OF\tTO\tECCN\tLICENSE\tPOLICY\tEXC\tS232\tUNDETERMINED")
		for _, d := range goldenDates {
			for _, dest := range goldenDestinations {
				c, err := rb.Classify(classify.Request{Chip: chip, To: dest.to, HQ: dest.hq, AsOf: day(d)})
				if err != nil {
					t.Fatalf("%s to %s on %s: %v", chip.Name(), dest.label, d, err)
				}
				eccn := c.ECCN
				if eccn == "" {
					eccn = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d, dest.label, eccn, yesNo(c.Destination.LicenseRequired),
					c.Destination.ReviewPolicy, exceptions(c), s232(c.Tariff), undetermined(c))
			}
		}
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func figures(c tollgate.Chip) string {
	p := classify.Measure(c)
	parts := []string{"TPP unknown"}
	if p.TPPKnown {
		parts[0] = fmt.Sprintf("TPP %s (%s)", classify.FormatNumber(p.TPP), p.Precision)
	}
	parts = append(parts, known("PD", p.PD, "", p.PDKnown), known("DRAM", c.DRAMBandwidthGBps, " GB/s", c.DRAMBandwidthGBps > 0),
		known("interconnect", c.InterconnectBandwidthGBps, " GB/s", c.InterconnectBandwidthGBps > 0))
	dc := "not designed or marketed for data centers"
	if c.DataCenter {
		dc = "data center"
	}
	avail := "US availability unknown"
	if c.USAvailable != "" {
		avail = "US available " + c.USAvailable
	}
	return strings.Join(append(parts, dc, avail), "; ")
}

func known(label string, v float64, unit string, ok bool) string {
	if !ok {
		return label + " unknown"
	}
	if label == "PD" {
		return fmt.Sprintf("PD %.2f", v)
	}
	return label + " " + classify.FormatNumber(v) + unit
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func exceptions(c tollgate.Classification) string {
	var out []string
	for _, le := range c.LicenseExceptions {
		if le.Eligible {
			out = append(out, le.Name)
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ",")
}

func s232(t tollgate.TariffClassification) string {
	if t.Heading == "" {
		return "not in force"
	}
	s := fmt.Sprintf("band %d %s %s%%", t.Band, t.Heading, classify.FormatNumber(float64(t.RateBP)/100))
	if t.Band == 0 {
		s = fmt.Sprintf("no band %s 0%%", t.Heading)
	}
	return s
}

func undetermined(c tollgate.Classification) string {
	if c.Determined() {
		return "-"
	}
	var out []string
	for _, u := range c.Undetermined {
		out = append(out, fmt.Sprintf("%s=%s (no %s)", u.Point, u.Assumed, strings.Join(u.Missing, ", ")))
	}
	return strings.Join(out, "; ")
}
