package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/demo"
	"tollgate/screen/screeneval"
)

// demoOptions are the flags of tollgate demo.
type demoOptions struct {
	db, addr, lists, bundle string
	tlsCert, tlsKey         string // passed on to serve
	noServe, asJSON         bool
}

// demoStoryStart is where the demo's clock starts: the morning the cast is
// set up, a week before the H200 announcement.
var demoStoryStart = time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)

// demoListsTimeout bounds each download when the demo fetches the lists.
const demoListsTimeout = time.Minute

func newDemoCmd(c *cli) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Play the H200 story end to end, then serve the API on its store",
		Long: `demo plays the story of the H200 export regime, December 2025 to March 2026,
through tollgate's own services on an empty store, with a clock that moves from
step to step: the cast (Nvidia with an admin and an officer, BIS and the
referral agencies DOD, STATE and DOE, a US test lab with its Ed25519 key, a
customs broker, an auditor); the H200 classified and compared with the H20;
Chinese customers screened (ByteDance, Alibaba and Tencent clear, a Huawei
affiliate and Moore Threads blocked, the latter through an internal list
entry citing 88 FR 71991); US shipments; three applications with the six
certifications, referred on 19 Dec 2025, recommended and decided (approved
with conditions, approved in part, returned without action); Taiwan-made
H200s imported under the 25% duty, tested and signed by the lab, reserved and
shipped, one reservation refused by the 50% cap; China's customs block of
14 Jan 2026 and its approvals of 28 Jan; orders cancelled; the quarter's
report; an audit checkpoint, exported as a bundle and verified. It prints the
story, the figures and one API token per user, then serves the API on the
same store (unless --no-serve) until Ctrl-C.

The demo applies the H200 rule from its announcement (8 Dec 2025) rather than
its effective date, as BIS did in practice; its classifications say so.

The store is --db, else $TOLLGATE_DB, else the default store of every command,
tollgate.db in the data directory, so that "tollgate parties" and the other
commands after the demo read what it made. It must be empty, except that the
default store is replaced when it holds a previous run of the demo alone; any
other store that is not empty is refused.

The lists are the CSL, OFAC and UN files under --lists DIR (or
$TOLLGATE_LISTS), laid out as ../shared/data/lists or as "tollgate lists
update" writes them; else those "tollgate lists update" downloaded before to
the data directory; else the demo tries that download. Without any real list
it says so and screens against the internal list alone, which then lists the
Huawei affiliate by hand. An empty --lists directory skips the download.

The audit bundle goes to --bundle DIR, else demo-audit-bundle in the data
directory; verify it again with "tollgate audit verify DIR --key …" ("tollgate
audit key" prints the key).`,
		Example: `  tollgate demo --lists ../shared/data/lists
  tollgate demo --no-serve --json --db sqlite:/tmp/demo.db
  tollgate demo --addr 127.0.0.1:0 --db postgres://tollgate@localhost/demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runDemo(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.db, "db", "", "store: sqlite:PATH or a postgres:// URL, empty (env TOLLGATE_DB, default sqlite:<data dir>/tollgate.db)")
	f.StringVar(&o.addr, "addr", "", "host:port the API is served on after the story (env TOLLGATE_ADDR, default "+defaultServeAddr+")")
	f.StringVar(&o.lists, "lists", "", "directory of CSL, OFAC and UN list files (env TOLLGATE_LISTS)")
	f.StringVar(&o.bundle, "bundle", "", "directory to export the audit bundle to (default <data dir>/demo-audit-bundle)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve the API over HTTPS after the story with this PEM certificate (as serve --tls-cert)")
	f.StringVar(&o.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	f.BoolVar(&o.noServe, "no-serve", false, "stop after the story instead of serving the API")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object of the final figures instead of the story")
	return cmd
}

// demoReport is what --json prints: the figures, the store and the story.
type demoReport struct {
	DB             string       `json:"db"`
	ElapsedSeconds float64      `json:"elapsed_seconds"`
	Events         []demo.Event `json:"events"`
	demo.Figures
}

func (c *cli) runDemo(ctx context.Context, o demoOptions) error {
	if !o.noServe {
		// Bind before the story, not after it: an address in use fails at once.
		addr, err := c.serveAddr(o.addr)
		if err != nil {
			return err
		}
		l := serveListen{tlsCert: o.tlsCert, tlsKey: o.tlsKey, metricsAddr: defaultMetricsAddr}
		if _, err := l.tlsConfig(); err != nil {
			return err
		}
		if (o.tlsCert == "") != (o.tlsKey == "") {
			return usageErrorf("--tls-cert and --tls-key go together: give both or neither")
		}
		ln, err := listen(ctx, addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		c = c.withBound(ln)
	}
	dsn, own, err := c.demoDSN(o.db)
	if err != nil {
		return err
	}
	bundle, err := c.demoBundle(o.bundle)
	if err != nil {
		return err
	}
	if err := c.replacePreviousDemo(ctx, dsn, own, o.bundle == "", bundle); err != nil {
		return err
	}
	lists, err := c.demoLists(ctx, o.lists)
	if err != nil {
		return err
	}
	key, _, err := c.signingKey()
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := c.playDemo(ctx, dsn, lists, key, bundle, o.asJSON)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if o.asJSON {
		err = writeJSON(c.stdout, demoReport{DB: redactDSN(dsn), ElapsedSeconds: elapsed.Round(time.Millisecond).Seconds(), Events: res.Events, Figures: res.Figures})
	} else {
		err = demo.WriteSummary(c.stdout, res.Figures)
		fmt.Fprintf(c.stdout, "\nThe story took %.1f s; the store is %s.\n", elapsed.Seconds(), redactDSN(dsn))
	}
	if err != nil || o.noServe {
		return err
	}
	return c.serveDemo(ctx, dsn, o)
}

// playDemo opens the store on the demo's clock and plays the story,
// printing each event as it happens unless the output is JSON.
func (c *cli) playDemo(ctx context.Context, dsn string, lists []string, key *auditlog.Key, bundle string, asJSON bool) (*demo.Result, error) {
	clock := demo.NewClock(demoStoryStart)
	dc := *c
	dc.now = clock.Now
	db, err := dc.openStore(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	opts := demo.Options{DB: db, Clock: clock, Lists: lists, AuditKey: key, BundleDir: bundle, Now: c.now, Build: buildInfo()}
	if !asJSON {
		fmt.Fprintf(c.stdout, "tollgate demo: the H200 story, December 2025 to March 2026, on %s\n\n", redactDSN(dsn))
		opts.Narrate = func(e demo.Event) { fmt.Fprintln(c.stdout, demo.FormatEvent(e)) }
	}
	res, err := demo.Run(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}

// serveDemo serves the API on the demo's store, as "tollgate serve --db DSN
// --addr ADDR" would, until ctx is cancelled. With --json, what serve
// prints goes to stderr, so that stdout holds the JSON object alone.
func (c *cli) serveDemo(ctx context.Context, dsn string, o demoOptions) error {
	sc := *c // carries the listener bound before the story
	if o.asJSON {
		sc.stdout = c.stderr
	}
	fmt.Fprintln(sc.stdout, "\nServing the demo's store; call the API with a token above. Ctrl-C stops the server.")
	cmd := newServeCmd(&sc)
	args := []string{"--db", dsn}
	if o.addr != "" {
		args = append(args, "--addr", o.addr)
	}
	if o.tlsCert != "" || o.tlsKey != "" {
		args = append(args, "--tls-cert", o.tlsCert, "--tls-key", o.tlsKey)
	}
	cmd.SetArgs(args)
	cmd.SetOut(sc.stdout)
	cmd.SetErr(sc.stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(ctx)
}

// demoDSN resolves the demo's store: the flag, else $TOLLGATE_DB, else the
// default store every other command uses (tollgate.db in the data
// directory), so that the commands after the demo see what it made. own
// is that default file's path when the default is used, and "" otherwise.
func (c *cli) demoDSN(flag string) (dsn, own string, err error) {
	if flag != "" {
		return flag, "", nil
	}
	if env := c.getenv("TOLLGATE_DB"); env != "" {
		return env, "", nil
	}
	if own, err = c.defaultStorePath(); err != nil {
		return "", "", err
	}
	return "sqlite:" + own, own, nil
}

// demoBundle resolves the audit bundle's directory; a directory given with
// --bundle must not hold a bundle already.
func (c *cli) demoBundle(flag string) (string, error) {
	if flag == "" {
		dir, err := c.dataDir()
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		return filepath.Join(dir, "demo-audit-bundle"), nil
	}
	if st, err := os.Stat(flag); err == nil && !st.IsDir() {
		return "", usageErrorf("--bundle: %s is not a directory", flag)
	}
	for _, name := range bundleFiles {
		if _, err := os.Stat(filepath.Join(flag, name)); err == nil {
			return "", usageErrorf("--bundle: %s already holds a bundle (%s); choose a new directory", flag, name)
		}
	}
	return flag, nil
}

// bundleFiles are the files of an audit bundle.
var bundleFiles = []string{auditlog.RecordsFile, auditlog.LeafHashesFile, auditlog.CheckpointFile, auditlog.BuildFile}

// replacePreviousDemo makes room for a new run in the demo's own default
// store: a file there holding a previous run of the demo is removed, with
// its default bundle; one holding anything else is refused. Stores named
// by --db or $TOLLGATE_DB are never removed: demo.Run refuses them unless
// they are empty.
func (c *cli) replacePreviousDemo(ctx context.Context, dsn, own string, ownBundle bool, bundle string) error {
	if own == "" {
		return nil
	}
	if _, err := os.Stat(own); errors.Is(err, fs.ErrNotExist) {
		return removeBundle(ownBundle, bundle)
	}
	db, err := c.openStore(dsn)
	if err != nil {
		return err
	}
	previous, err := demo.Previous(ctx, db)
	if err == nil && !previous {
		err = demo.CheckEmpty(ctx, db)
	}
	db.Close()
	if code := tollgate.ErrorCode(err); code == tollgate.ECONFLICT {
		return tollgate.Errorf(code, "demo: the default store %s: %s; the demo never replaces data of yours: play it on another store with --db sqlite:PATH",
			own, tollgate.ErrorMessage(err))
	} else if err != nil {
		return fmt.Errorf("demo: %s: %w", own, err)
	}
	if !previous {
		// An empty default store (made by any command) starts a first run:
		// the default bundle left by an earlier one goes, as after a run.
		return removeBundle(ownBundle, bundle)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(own + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo: remove the previous run: %w", err)
		}
	}
	fmt.Fprintf(c.stderr, "tollgate: replaced the previous demo run in %s\n", own)
	return removeBundle(ownBundle, bundle)
}

// removeBundle removes the files of the demo's default bundle directory,
// left by a previous run.
func removeBundle(own bool, dir string) error {
	if !own {
		return nil
	}
	for _, name := range bundleFiles {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo: remove the previous audit bundle: %w", err)
		}
	}
	return nil
}

// demoLists finds the real list files the demo imports: under --lists or
// $TOLLGATE_LISTS; else under the data directory's lists directory; else
// after downloading them there. It returns none (and says so on stderr)
// when there are none to be had.
func (c *cli) demoLists(ctx context.Context, flag string) ([]string, error) {
	dir, from := flag, "--lists"
	if dir == "" {
		dir, from = c.getenv("TOLLGATE_LISTS"), "TOLLGATE_LISTS"
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usageErrorf("%s: %s is not a directory", from, dir)
		}
		paths := listFilesUnder(dir)
		if len(paths) == 0 {
			fmt.Fprintf(c.stderr, "tollgate: no CSL, OFAC or UN list under %s (%s): the demo screens against its internal list only\n", dir, from)
		}
		return paths, nil
	}
	data, err := c.dataDir()
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	dir = filepath.Join(data, "lists")
	if paths := listFilesUnder(dir); len(paths) > 0 {
		return paths, nil
	}
	fmt.Fprintf(c.stderr, "tollgate: no lists given (--lists) or downloaded before; downloading them to %s\n", dir)
	quiet := *c
	quiet.stdout = c.stderr
	lc := &listsCmd{c: &quiet, sources: officialListSources}
	if err := lc.runUpdate(ctx, dir, nil, demoListsTimeout); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		fmt.Fprintf(c.stderr, "tollgate: the download failed (%s)\n", oneLine(errorLine(err)))
	}
	paths := listFilesUnder(dir)
	if len(paths) == 0 {
		fmt.Fprintln(c.stderr, "tollgate: no real restricted-party list is available: the demo screens against its internal list only")
	}
	return paths, nil
}

// listFilesUnder returns the newest CSL, OFAC and UN list under dir.
func listFilesUnder(dir string) []string {
	csl, ofac, un, _ := screeneval.ListFiles(dir)
	return slices.DeleteFunc([]string{csl, ofac, un}, func(p string) bool { return p == "" })
}

// redactDSN hides a PostgreSQL URL's password.
func redactDSN(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}
