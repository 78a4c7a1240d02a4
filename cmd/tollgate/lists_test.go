package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// Handmade list files: tiny, in the official formats.
const (
	testCSL = "_id,source,entity_number,type,name,alt_names,addresses\n" +
		"1,Entity List (EL) - Bureau of Industry and Security,,,Example Chips Co.,ECC,\"1 Road, Shenzhen, CN\"\n" +
		"2,Specially Designated Nationals (SDN) - Treasury Department,2,Individual,\"DOE, John\",,\n"
	testSDN = "10,\"EXAMPLE SHIPPING\",-0- ,\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
	testAdd = "10,20,-0- ,\"Tehran\",\"Iran\",-0- \r\n"
	testAlt = "10,30,\"aka\",\"EX SHIPPING\",-0- \r\n"
	testUN  = `<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="2025-01-01T00:00:00Z">` +
		`<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>TEST</FIRST_NAME><SECOND_NAME>PERSON</SECOND_NAME>` +
		`<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>`
)

// listServer serves the handmade files; files maps a URL path to its body,
// and a path it lacks answers 404.
func listServer(t *testing.T, files map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if body == "500" {
			http.Error(w, "upstream broke", http.StatusInternalServerError)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// sourcesAt is the official source table pointed at base.
func sourcesAt(base string) []listSource {
	out := make([]listSource, len(officialListSources))
	for i, s := range officialListSources {
		s.Files = append([]listFile(nil), s.Files...)
		for j := range s.Files {
			s.Files[j].URL = base + "/" + s.Files[j].Name
		}
		out[i] = s
	}
	return out
}

// runLists runs a lists command with the given sources and client, returning
// stdout, stderr and the exit status.
func runLists(t *testing.T, sources []listSource, client *http.Client, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := &cli{ctx: context.Background(), getenv: func(k string) string { return env[k] },
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, now: time.Now}
	cmd := (&listsCmd{c: c, sources: sources, client: client}).command()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
	wrapArgs(cmd)
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		return stdout.String(), stderr.String(), exitCode(err)
	}
	return stdout.String(), stderr.String(), 0
}

func TestListsUpdate(t *testing.T) {
	srv := listServer(t, map[string]string{
		"/consolidated.csv": testCSL, "/sdn.csv": testSDN, "/add.csv": testAdd, "/alt.csv": testAlt,
		"/consolidated.xml": testUN, // no sdn_comments.csv: it is optional
	})
	data := t.TempDir()
	stale := filepath.Join(data, "lists", "ofac", "latest", "sdn_comments.csv")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("10,\"old\"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runLists(t, sourcesAt(srv.URL), srv.Client(), map[string]string{"TOLLGATE_DATA": data}, "update")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"csl: 2 entities (EL 1, SDN 1)", "ofac: 1 entities (SDN 1)", "un: 1 entities (UN 1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}
	for path, want := range map[string]string{
		"csl/consolidated.csv": testCSL, "ofac/latest/sdn.csv": testSDN, "ofac/latest/add.csv": testAdd,
		"ofac/latest/alt.csv": testAlt, "un/consolidated.xml": testUN,
	} {
		got, err := os.ReadFile(filepath.Join(data, "lists", filepath.FromSlash(path)))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want the served file", path, got, err)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale sdn_comments.csv was kept (%v); it would be joined with the new sdn.csv", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(data, "lists", ".update-*")); len(leftovers) > 0 {
		t.Errorf("staging directories left behind: %v", leftovers)
	}
}

// seedLists writes a previous version of every list into dir and returns
// a check that they are all unchanged.
func seedLists(t *testing.T, dir string) func() {
	t.Helper()
	old := map[string]string{"csl/consolidated.csv": "old csl", "ofac/latest/sdn.csv": "old sdn", "un/consolidated.xml": "old un"}
	for path, body := range old {
		p := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		for path, body := range old {
			if got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path))); err != nil || string(got) != body {
				t.Errorf("%s = %q, %v; want it unchanged", path, got, err)
			}
		}
	}
}

func TestListsUpdateUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	dir := t.TempDir()
	unchanged := seedLists(t, dir)
	defer func() {
		if entries, _ := os.ReadDir(dir); len(entries) != 3 {
			t.Errorf("the lists directory holds %d entries, want the 3 seeded ones", len(entries))
		}
		fresh := filepath.Join(t.TempDir(), "new-lists")
		runLists(t, sourcesAt(base), nil, nil, "update", "--dir", fresh)
		if _, err := os.Stat(fresh); !os.IsNotExist(err) {
			t.Errorf("a failed update left the directory %s it created (%v)", fresh, err)
		}
	}()
	_, errOut, code := runLists(t, sourcesAt(base), nil, nil, "update", "--dir", dir, "--timeout", "5s")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 3 {
		t.Fatalf("stderr has %d lines, want one per source:\n%s", len(lines), errOut)
	}
	host := strings.TrimPrefix(base, "http://")
	for i, name := range []string{"csl", "ofac", "un"} {
		want := "tollgate: lists update: " + name + ": cannot reach " + host + ": "
		if !strings.HasPrefix(lines[i], want) || !strings.HasSuffix(lines[i], "; nothing was changed") {
			t.Errorf("line %d = %q, want %q…; nothing was changed", i, lines[i], want)
		}
	}
	unchanged()
}

func TestListsUpdateInvalidContent(t *testing.T) {
	srv := listServer(t, map[string]string{
		"/consolidated.csv": "<html>maintenance</html>",
		"/sdn.csv":          testSDN, "/add.csv": testAdd, "/alt.csv": "500",
		"/consolidated.xml": testCSL, // a valid list, but not the UN's
	})
	dir := t.TempDir()
	unchanged := seedLists(t, dir)
	_, errOut, code := runLists(t, sourcesAt(srv.URL), srv.Client(), nil, "update", "--dir", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"csl: the download is not a valid Consolidated Screening List (trade.gov): ",
		"ofac: " + srv.URL + "/alt.csv answered 500 Internal Server Error; nothing was changed",
		"un: the download is not a valid UN Security Council Consolidated List: it reads as csl; nothing was changed",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	unchanged()
	if _, err := os.Stat(filepath.Join(dir, "ofac", "latest", "add.csv")); !os.IsNotExist(err) {
		t.Errorf("add.csv was put in place although alt.csv failed (%v)", err)
	}
}

func TestListsUpdateUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"update", "--timeout", "0s"}, "--timeout"},
		{[]string{"update", "--source", "csl,bogus"}, "--source"},
		{[]string{"update", "extra"}, "unknown command"},
		{[]string{"inspect"}, "requires at least 1 arg"},
	} {
		_, _, code := runLists(t, sourcesAt("http://127.0.0.1:1"), nil, nil, tt.args...)
		if code != 2 {
			t.Errorf("lists %v: exit %d, want 2", tt.args, code)
		}
	}
	// The same mistakes through the real entry point name the flag.
	_, err := runCLI(t, "lists", "update", "--source", "bogus")
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--source") {
		t.Errorf("run lists update --source bogus: %v, want a usage error naming --source", err)
	}
}

func TestListsInspect(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "internal.csv")
	body := "name,type,country\nExample Co,org,CN\n,person,US\nBad Type,robot,US\n"
	if err := os.WriteFile(good, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.csv")
	out, errOut, code := runLists(t, nil, nil, nil, "inspect", good, missing)
	if code != 1 {
		t.Errorf("exit %d, want 1 for the missing file", code)
	}
	for _, want := range []string{
		"format     custom — Internal list", "entities   2", "lists      INTERNAL 2", "problems   2",
		"line 3: no name; row skipped", "line 4: unknown type",
		"citations  an internal list: no entry cites its source",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "missing.csv") {
		t.Errorf("stderr %q does not name the missing file", errOut)
	}

	out, _, code = runLists(t, nil, nil, nil, "inspect", "--json", good)
	var got []listSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("inspect --json: exit %d, %v:\n%s", code, err, out)
	}
	if len(got) != 1 || got[0].Format != "custom" || got[0].Entities != 2 || got[0].Problems != 2 ||
		len(got[0].First) != 2 || got[0].First[0].Line != 3 || len(got[0].Digest) != 64 {
		t.Errorf("inspect --json = %+v", got)
	}

	// A file in another encoding is refused with its line, not read as
	// an internal list with no problems.
	gbk := filepath.Join(dir, "customers-gbk.csv")
	if err := os.WriteFile(gbk, []byte("name,country\nOK Co,CN\n\xbb\xaa\xce\xaa\xbc\xbc\xca\xf5,CN\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runLists(t, nil, nil, nil, "inspect", gbk)
	if code != 1 || !strings.Contains(errOut, "line 3 is not UTF-8") || strings.Contains(out, "problems   0") {
		t.Errorf("inspect of a GBK file: exit %d, stdout %q, stderr %q; want exit 1 naming line 3", code, out, errOut)
	}
	r := runScreenCLI(t, context.Background(), "", "screen", "Example Co", "--list", gbk)
	if r.err == nil || !strings.Contains(errorLine(r.err), "line 3 is not UTF-8") {
		t.Errorf("screen --list of a GBK file: %v, want a refusal naming line 3", r.err)
	}
	r = mustScreen(t, "", "screen", "Example Co", "--list", good)
	if !strings.Contains(r.stdout, "no entry cites its source") {
		t.Errorf("screen --list of an uncited internal list does not say so:\n%s", r.stdout)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 14160: "14,160", 1234567: "1,234,567", -2500: "-2,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
