package lists_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"tollgate"
	"tollgate/internal/testenv"
	"tollgate/screen/lists"
)

// mustLoad loads path or fails the test.
func mustLoad(tb testing.TB, path string) *lists.Result {
	tb.Helper()
	res, err := lists.Load(path)
	if err != nil {
		tb.Fatalf("Load(%s): %v", path, err)
	}
	return res
}

// entityByID returns the entity with the source id, failing when absent.
func entityByID(tb testing.TB, res *lists.Result, id string) tollgate.Entity {
	tb.Helper()
	for _, e := range res.Entities {
		if e.SourceID == id {
			return e
		}
	}
	tb.Fatalf("no entity with source id %q", id)
	return tollgate.Entity{}
}

// problemLines returns the line numbers of the problems, in order.
func problemLines(res *lists.Result) []int {
	lines := []int{}
	for _, p := range res.Problems {
		lines = append(lines, p.Line)
	}
	return lines
}

// checkInvariants verifies what every parse result must satisfy, whatever
// the input: entities have a list, an id and a name, all text is UTF-8, and
// problems carry a line and a message.
func checkInvariants(t *testing.T, res *lists.Result) {
	t.Helper()
	if len(res.Digest) != 64 {
		t.Errorf("digest %q is not a hex SHA-256", res.Digest)
	}
	for i, e := range res.Entities {
		if e.List == "" || e.SourceID == "" || e.Name == "" {
			t.Fatalf("entity %d lacks list, id or name: %+v", i, e)
		}
		if !e.Type.Valid() {
			t.Fatalf("entity %d has invalid type %q", i, e.Type)
		}
		for _, s := range append(append(e.Names(), e.WeakAltNames...), e.Remarks, e.Citation) {
			if !utf8.ValidString(s) {
				t.Fatalf("entity %d holds invalid UTF-8 %q", i, s)
			}
		}
		for _, c := range e.Countries {
			if _, ok := lists.CountryCode(c); !ok || len(c) != 2 {
				t.Fatalf("entity %d has country %q, not an ISO code", i, c)
			}
		}
	}
	for _, p := range res.Problems {
		if p.Line < 1 || p.Message == "" {
			t.Fatalf("problem without line or message: %+v", p)
		}
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "csl.csv.gz")
	writeGzip(t, gz, readFile(t, "testdata/csl.csv"))
	sdnOnly := filepath.Join(dir, "sdn-only")
	if err := os.Mkdir(sdnOnly, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "testdata/ofac/sdn.csv", filepath.Join(sdnOnly, "SDN.CSV"))
	renamed := filepath.Join(dir, "names.txt")
	copyFile(t, "testdata/custom.csv", renamed)
	for _, tt := range []struct {
		path string
		want lists.Format
	}{
		{"testdata/csl.csv", lists.FormatCSL},
		{gz, lists.FormatCSL},
		{"testdata/ofac", lists.FormatOFAC},
		{"testdata/ofac/sdn.csv", lists.FormatOFAC},
		{sdnOnly, lists.FormatOFAC},
		{"testdata/un.xml", lists.FormatUN},
		{"testdata/dpl.txt", lists.FormatDPL},
		{"testdata/custom.csv", lists.FormatCustom},
		{renamed, lists.FormatCustom},
	} {
		got, err := lists.Detect(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Detect(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name, path, code string
	}{
		{"Missing", filepath.Join(dir, "nope.csv"), tollgate.ENOTFOUND},
		{"Empty", write("empty.csv", ""), tollgate.EINVALID},
		{"OtherXML", write("feed.xml", "<rss><channel/></rss>"), tollgate.EINVALID},
		{"OtherCSV", write("people.csv", "first,last\nAda,Lovelace\n"), tollgate.EINVALID},
		{"SideFile", write("add.csv", "1,2,\"x\",\"y\",\"Iran\",-0-\n"), tollgate.EINVALID},
		{"DirWithoutSDN", t.TempDir(), tollgate.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lists.Detect(tt.path)
			if got := tollgate.ErrorCode(err); got != tt.code {
				t.Errorf("Detect(%s) error %v has code %q, want %q", tt.path, err, got, tt.code)
			}
			if _, err := lists.Load(tt.path); tollgate.ErrorCode(err) != tt.code {
				t.Errorf("Load(%s) error %v has code %q, want %q", tt.path, err, tollgate.ErrorCode(err), tt.code)
			}
		})
	}
}

func TestLoadGzipDigestAndPublished(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2023-11-05")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	plain := readFile(t, "testdata/csl.csv")
	gz := filepath.Join(dir, "consolidated.csv.gz")
	writeGzip(t, gz, plain)
	res := mustLoad(t, gz)
	sum := sha256.Sum256(readFile(t, gz))
	if got, want := res.Digest, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Digest = %s, want the SHA-256 of the compressed file %s", got, want)
	}
	fromPlain, err := lists.ParseCSL(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Entities, fromPlain.Entities) {
		t.Errorf("the gzip file parsed differently from the plain one")
	}
	// The CSL states no publication date; its latest start date stands in.
	if got, want := res.Published, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Published = %v, want %v", got, want)
	}
	if res.Path != gz {
		t.Errorf("Path = %q, want %q", res.Path, gz)
	}
	// OFAC states no date at all: the directory name gives it.
	ofacDir := filepath.Join(t.TempDir(), "2023-11-05")
	if err := os.Mkdir(ofacDir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "testdata/ofac/sdn.csv", filepath.Join(ofacDir, "sdn.csv"))
	if got, want := mustLoad(t, ofacDir).Published, time.Date(2023, 11, 5, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("OFAC Published = %v, want %v", got, want)
	}
}

func TestCounts(t *testing.T) {
	res := mustLoad(t, "testdata/csl.csv")
	want := map[string]int{"SDN": 2, "EL": 1, "DTC": 1, "DPL": 1, "FSL": 1, "CAP": 1}
	if got := res.Counts(); !reflect.DeepEqual(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
}

func TestCountryCode(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"IR", "IR"}, {"Iran", "IR"}, {"Iran (Islamic Republic of)", "IR"},
		{"Korea, North", "KP"}, {"Democratic People's Republic of Korea", "KP"}, {"Korea, South", "KR"},
		{"Russia", "RU"}, {"Russian Federation", "RU"}, {"Burma", "MM"}, {"Myanmar", "MM"},
		{"Congo, Democratic Republic of the", "CD"}, {"Democratic Republic of the Congo", "CD"},
		{"Congo, Republic of the", "CG"}, {"Congo", "CG"}, {"Bahamas, The", "BS"}, {"The Gambia", "GM"},
		{"Cote d Ivoire", "CI"}, {"Côte d’Ivoire", "CI"}, {"Türkiye", "TR"}, {"Turkey", "TR"},
		{"Virgin Islands, British", "VG"}, {"United Kingdom of Great Britain and Northern Ireland", "GB"},
		{"China, Hong Kong Special Administrative Region", "HK"}, {"Viet Nam", "VN"}, {"PRC", "CN"},
		{"Region: Crimea", "UA"}, {"West Bank", "PS"}, {"St. Kitts & Nevis", "KN"},
		{"North Macedonia, The Republic of", "MK"}, {"  united states of america ", "US"}, {"U.S.A.", "US"},
		{"undetermined", ""}, {"former Soviet Union", ""}, {"", ""}, {"na", ""}, {"ZZ", ""},
	} {
		got, ok := lists.CountryCode(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("CountryCode(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	if err := os.WriteFile(to, readFile(tb, from), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func writeGzip(tb testing.TB, path string, data []byte) {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkLoadAll loads the three lists the screening engine's load budget
// (≤ 2 s with index building) covers: CSL, OFAC 2024 and UN.
func BenchmarkLoadAll(b *testing.B) {
	paths := []string{
		testenv.DataFile(b, "lists/csl/consolidated-2022-04.csv.gz"),
		testenv.DataFile(b, "lists/ofac/2024-05-03/sdn.csv"),
		testenv.DataFile(b, "lists/un/consolidated-2026-02-27.xml"),
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, p := range paths {
			res, err := lists.Load(p)
			if err != nil {
				b.Fatal(err)
			}
			n += len(res.Entities)
		}
		b.ReportMetric(float64(n), "entities")
	}
}
