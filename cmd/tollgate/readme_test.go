package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"tollgate/internal/testenv"
)

// readmeCLIEnv, set to 1, makes the test binary run as the tollgate CLI (see
// TestMain), so that the README's code blocks can call ./tollgate without a
// separate build.
const readmeCLIEnv = "TOLLGATE_README_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(readmeCLIEnv) == "1" {
		err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tollgate:", errorLine(err))
			os.Exit(exitCode(err))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// readmeBlock is a fenced code block of README.md and the readme-test
// directive on the line before it, if any.
type readmeBlock struct {
	line      int    // line of the opening fence, 1-based
	lang      string // the fence's info string
	text      string
	directive string // "", "skip", "pending" or "server"
	reason    string
}

var readmeDirective = regexp.MustCompile(`^<!--\s*readme-test:\s*(\w+)\s*(.*?)\s*-->$`)

// readmeBlocks returns the fenced code blocks of a Markdown document.
func readmeBlocks(doc string) ([]readmeBlock, error) {
	var blocks []readmeBlock
	var cur *readmeBlock
	var body []string
	prev := "" // the last non-blank line outside a block
	for i, line := range strings.Split(doc, "\n") {
		if cur != nil {
			if strings.TrimSpace(line) == "```" {
				cur.text = strings.Join(body, "\n") + "\n"
				blocks = append(blocks, *cur)
				cur, body, prev = nil, nil, ""
				continue
			}
			body = append(body, line)
			continue
		}
		if lang, ok := strings.CutPrefix(line, "```"); ok {
			cur = &readmeBlock{line: i + 1, lang: strings.TrimSpace(lang)}
			if m := readmeDirective.FindStringSubmatch(prev); m != nil {
				cur.directive, cur.reason = m[1], m[2]
				switch cur.directive {
				case "skip", "pending", "server":
				default:
					return nil, fmt.Errorf("line %d: unknown readme-test directive %q", i, cur.directive)
				}
			}
			continue
		}
		if strings.TrimSpace(line) != "" {
			prev = strings.TrimSpace(line)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: code block never closed", cur.line)
	}
	return blocks, nil
}

func TestReadmeBlocks(t *testing.T) {
	doc := "text\n\n```sh\n./tollgate chips\n```\n\n<!-- readme-test: skip needs the network -->\n```sh\n./tollgate lists update\n```\n```text\ndiagram\n```\n"
	got, err := readmeBlocks(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []readmeBlock{
		{line: 3, lang: "sh", text: "./tollgate chips\n"},
		{line: 8, lang: "sh", text: "./tollgate lists update\n", directive: "skip", reason: "needs the network"},
		{line: 11, lang: "text", text: "diagram\n"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"```sh\nnever closed\n", "<!-- readme-test: maybe -->\n```sh\nx\n```\n"} {
		if _, err := readmeBlocks(bad); err == nil {
			t.Errorf("readmeBlocks(%q): no error", bad)
		}
	}
}

// TestReadme runs every sh block of README.md, in order, as a user would
// after the Quickstart: the demo has played on a fresh data directory and
// serves the API (on port 0 here). Blocks marked server call that API with
// the tokens the demo printed; blocks marked skip or pending are not run.
func TestReadme(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the demo and runs the README's examples")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run the README's examples with")
	}
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(doc))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	// A fresh home and data directory; ../shared/data beside the working
	// directory when the shared data is here, as beside a clone.
	tmp := t.TempDir()
	home, data, work := filepath.Join(tmp, "home"), filepath.Join(tmp, "data"), filepath.Join(tmp, "work")
	for _, d := range []string{home, work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(self, filepath.Join(work, "tollgate")); err != nil {
		t.Fatal(err)
	}
	lists := filepath.Join(tmp, "no-lists") // an empty directory: the demo downloads nothing
	shared := sharedDataDir()
	if shared != "" {
		if err := os.Mkdir(filepath.Join(tmp, "shared"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(shared, filepath.Join(tmp, "shared", "data")); err != nil {
			t.Fatal(err)
		}
		lists = filepath.Join(shared, "lists")
	} else if err := os.Mkdir(lists, 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"HOME":                  home,
		"TOLLGATE_DATA":         data,
		"TOLLGATE_LISTS":        lists,
		"TOLLGATE_METRICS_ADDR": "127.0.0.1:0",
	}

	// The Quickstart's first command: the demo plays and serves.
	base, tokens := startReadmeDemo(t, env)

	environ := []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", readmeCLIEnv + "=1"}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	_, curlErr := exec.LookPath("curl")
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		t.Run(fmt.Sprintf("line%d", b.line), func(t *testing.T) {
			switch {
			case b.directive == "skip":
				t.Skip(b.reason)
			case b.directive == "pending":
				t.Skip("pending: " + b.reason)
			case strings.Contains(b.text, "../shared/data") && shared == "":
				t.Skip("needs the shared data (../shared/data or $TOLLGATE_TESTDATA)")
			}
			script := b.text
			if b.directive == "server" {
				if curlErr != nil {
					t.Skip("no curl to call the API with")
				}
				if script, err = serverScript(script, base, tokens); err != nil {
					t.Fatalf("README.md line %d: %v", b.line, err)
				}
			}
			// curl fails on an HTTP error status, as a person reading the
			// answer would notice it.
			prelude := "set -eo pipefail\ncurl() { command curl --fail-with-body --silent --show-error \"$@\"; }\n"
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bash, "-c", prelude+script)
			cmd.Dir, cmd.Env = work, environ
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("README.md line %d does not work as written: %v\n%s\noutput:\n%s", b.line, err, b.text, out)
			}
		})
	}
}

// sharedDataDir returns the shared test data directory when it holds the
// lists, else "".
func sharedDataDir() string {
	dir := os.Getenv("TOLLGATE_TESTDATA")
	if dir == "" {
		root, err := testenv.ModuleRoot()
		if err != nil {
			return ""
		}
		dir = filepath.Join(root, "..", "shared", "data")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, "lists")); err != nil {
		return ""
	}
	return dir
}

// startReadmeDemo runs "tollgate demo" in process, serving on port 0, until
// the test ends. It returns the API's base URL and the printed tokens by
// role ("exporter officer").
func startReadmeDemo(t *testing.T, env map[string]string) (base string, tokens map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), out, out)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the demo did not stop within 30 s of its context's end")
		}
	})
	serving := regexp.MustCompile(`serving the API on (http://\S+)`)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if m := serving.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the demo ended before serving: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not serve within 3 minutes:\n%s", out.String())
		}
	}
	tokens = map[string]string{}
	token := regexp.MustCompile(`^\s+(\S+(?: \S+)*)\s{2,}\S+@\S+\s.*\s(tg_[0-9A-Za-z]+)\s*$`)
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		if m := token.FindStringSubmatch(sc.Text()); m != nil {
			if _, ok := tokens[m[1]]; !ok {
				tokens[m[1]] = m[2]
			}
		}
	}
	if len(tokens) == 0 {
		t.Fatalf("the demo printed no tokens:\n%s", out.String())
	}
	return base, tokens
}

// A placeholder line of a server block: NAME=tg_… with the role of the
// demo's token line it stands for in a comment, "… the "auditor" line …".
var tokenPlaceholder = regexp.MustCompile(`(?m)^([A-Z_]+)=tg_….*?"([^"]+)" line.*$`)

// serverScript fills a server block's token placeholders with the demo's
// tokens and points its URLs at the demo's server.
func serverScript(script, base string, tokens map[string]string) (string, error) {
	var missing error
	script = tokenPlaceholder.ReplaceAllStringFunc(script, func(line string) string {
		m := tokenPlaceholder.FindStringSubmatch(line)
		tok, ok := tokens[m[2]]
		if !ok {
			missing = fmt.Errorf("%q names no token line the demo printed (it printed %v)", line, keys(tokens))
			return line
		}
		return m[1] + "=" + tok
	})
	if missing != nil {
		return "", missing
	}
	if strings.Contains(script, "tg_…") {
		return "", fmt.Errorf("a tg_… placeholder does not say which token line it stands for (NAME=tg_…  # the \"ROLE\" line)")
	}
	return strings.ReplaceAll(script, "http://127.0.0.1:8080", base), nil
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// lockedBuffer is a strings.Builder that a command may write while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServerScript(t *testing.T) {
	tokens := map[string]string{"exporter officer": "tg_OFF", "auditor": "tg_AUD"}
	tests := []struct {
		name, script, want string
		wantErr            bool
	}{
		{name: "OK",
			script: "OFFICER=tg_…   # paste the \"exporter officer\" line's token\nA=tg_… # the \"auditor\" line\nB=http://127.0.0.1:8080\ncurl \"$B/v1/x\"\n",
			want:   "OFFICER=tg_OFF\nA=tg_AUD\nB=http://127.0.0.1:1234\ncurl \"$B/v1/x\"\n"},
		{name: "ErrUnknownRole", script: "X=tg_… # the \"broker\" line\n", wantErr: true},
		{name: "ErrUnlabelled", script: "X=tg_…\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serverScript(tt.script, "http://127.0.0.1:1234", tokens)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReadmeCommandsExist checks every ./tollgate command line in README.md's
// sh blocks, those the README test does not run included, against the
// command tree: the command exists and takes each flag given.
func TestReadmeCommandsExist(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(doc))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	checked := 0
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		for i, line := range strings.Split(b.text, "\n") {
			_, cmdline, ok := strings.Cut(line, "./tollgate ")
			if !ok {
				continue
			}
			checked++
			if err := checkCommandLine(shellWords(cmdline)); err != nil {
				t.Errorf("README.md line %d: %q: %v", b.line+1+i, strings.TrimSpace(line), err)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no ./tollgate command in README.md's sh blocks: the scan is broken")
	}
}

// checkCommandLine reports whether args name a command of tollgate and
// only flags that command takes.
func checkCommandLine(args []string) error {
	c := &cli{ctx: context.Background(), getenv: func(string) string { return "" }, now: time.Now}
	root := newRootCmd(c)
	cmd, _, err := root.Find(args)
	if err != nil {
		return err
	}
	if cmd == root && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("no command %q", args[0])
	}
	cmd.InitDefaultHelpFlag()
	for _, a := range args {
		a = strings.Trim(a, "[]")
		name, ok := strings.CutPrefix(a, "--")
		if !ok || name == "" {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		if cmd.Flags().Lookup(name) == nil && cmd.InheritedFlags().Lookup(name) == nil {
			return fmt.Errorf("%q takes no flag --%s", cmd.CommandPath(), name)
		}
	}
	return nil
}

// shellWords splits one command line as a POSIX shell would split its
// words, up to a comment or an operator (|, >, <, ;, &) outside quotes.
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case strings.ContainsRune("|<>;&", r) || (r == '#' && !inWord):
			flush()
			return words
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{`screen "Xi Jinping" 'a b' --type person   # a comment`, []string{"screen", "Xi Jinping", "a b", "--type", "person"}},
		{`audit key > tollgate-audit.pub`, []string{"audit", "key"}},
		{`report --format json|csv]`, []string{"report", "--format", "json"}},
		{`lists import --allow-older --reason "…" PATH`, []string{"lists", "import", "--allow-older", "--reason", "…", "PATH"}},
		{`x a#b`, []string{"x", "a#b"}},
	}
	for _, tt := range tests {
		if got := shellWords(tt.line); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("shellWords(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestCheckCommandLine(t *testing.T) {
	for _, ok := range [][]string{{"classify", "h200", "--to", "CN"}, {"audit", "verify", "DIR", "--key", "K"}, {"exports", "cap", "H200", "--exporter=X", "--db", "sqlite:x"}} {
		if err := checkCommandLine(ok); err != nil {
			t.Errorf("checkCommandLine(%q): %v", ok, err)
		}
	}
	for _, bad := range [][]string{{"clasify", "h200"}, {"classify", "h200", "--too", "CN"}, {"audit", "verify", "--keys", "K"}} {
		if err := checkCommandLine(bad); err == nil {
			t.Errorf("checkCommandLine(%q): no error", bad)
		}
	}
}

// TestReadmeContents checks that the README's Contents line links every
// section, in order.
func TestReadmeContents(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var contents string
	var want []string
	for _, line := range strings.Split(string(doc), "\n") {
		if c, ok := strings.CutPrefix(line, "Contents: "); ok && contents == "" {
			contents = c
		}
		if h, ok := strings.CutPrefix(line, "## "); ok {
			want = append(want, "["+h+"](#"+githubAnchor(h)+")")
		}
	}
	if got, want := contents, strings.Join(want, " · "); got != want {
		t.Errorf("README.md's Contents line:\n got %s\nwant %s", got, want)
	}
}

// githubAnchor returns the anchor GitHub gives a heading.
func githubAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
