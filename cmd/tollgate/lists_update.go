package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate/screen/lists"
)

// listSource is one official list that `lists update` downloads: its files,
// where they go under the lists directory, and the format they must parse as.
type listSource struct {
	Name   string       // what --source selects: "csl", "ofac", "un"
	Label  string       // for messages
	Format lists.Format // what the downloaded files must parse as
	Dir    string       // directory under the lists directory
	Files  []listFile
}

// listFile is one downloaded file of a source.
type listFile struct {
	URL  string
	Name string // file name in the source's directory
	// Optional files may be missing upstream (HTTP 404); a stale copy is
	// then removed so it is never joined with newer files.
	Optional bool
}

// officialListSources are the publishers' own download locations. The
// layout under the lists directory matches ../shared/data/lists, so the
// directory works with --list and --lists everywhere: csl/consolidated.csv,
// ofac/latest/ (sdn.csv, add.csv, alt.csv, sdn_comments.csv) and
// un/consolidated.xml.
var officialListSources = []listSource{
	{Name: "csl", Label: "Consolidated Screening List (trade.gov)", Format: lists.FormatCSL, Dir: "csl", Files: []listFile{
		{URL: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv", Name: "consolidated.csv"},
	}},
	{Name: "ofac", Label: "OFAC SDN list (treasury.gov legacy CSV)", Format: lists.FormatOFAC, Dir: "ofac/latest", Files: []listFile{
		{URL: "https://www.treasury.gov/ofac/downloads/sdn.csv", Name: "sdn.csv"},
		{URL: "https://www.treasury.gov/ofac/downloads/add.csv", Name: "add.csv"},
		{URL: "https://www.treasury.gov/ofac/downloads/alt.csv", Name: "alt.csv"},
		{URL: "https://www.treasury.gov/ofac/downloads/sdn_comments.csv", Name: "sdn_comments.csv", Optional: true},
	}},
	{Name: "un", Label: "UN Security Council Consolidated List", Format: lists.FormatUN, Dir: "un", Files: []listFile{
		{URL: "https://scsanctions.un.org/resources/xml/en/consolidated.xml", Name: "consolidated.xml"},
	}},
}

// maxListBytes bounds one download; the largest list file is a few MB.
const maxListBytes = 512 << 20

func (lc *listsCmd) updateCommand() *cobra.Command {
	var (
		dir     string
		only    []string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the official CSL, OFAC and UN lists",
		Long: `update downloads the official lists into DIR (default: the "lists" directory
in tollgate's data directory, $TOLLGATE_DATA):
  csl/consolidated.csv   trade.gov Consolidated Screening List
  ofac/latest/           OFAC SDN legacy CSV: sdn.csv, add.csv, alt.csv, sdn_comments.csv
  un/consolidated.xml    UN Security Council consolidated list
Each source's files are written to a staging directory in DIR, parsed to
check that they are a valid list, and only then renamed into place, so a
failed or interrupted download never leaves a half-written or invalid list.
A source that cannot be reached is reported on one line and the others are
still updated; the exit status is then 1.`,
		Example: `  tollgate lists update
  tollgate lists update --dir ./lists --source csl --source un
  tollgate lists update --timeout 5m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return lc.runUpdate(cmd.Context(), dir, only, timeout)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the lists to (default <data dir>/lists)")
	cmd.Flags().StringSliceVar(&only, "source", nil, "update only these sources: csl, ofac, un (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "time limit for each download")
	return cmd
}

func (lc *listsCmd) runUpdate(ctx context.Context, dir string, only []string, timeout time.Duration) error {
	if timeout <= 0 {
		return usageErrorf("--timeout: must be positive, got %s", timeout)
	}
	sources, err := lc.selectSources(only)
	if err != nil {
		return err
	}
	if dir == "" {
		data, err := lc.c.dataDir()
		if err != nil {
			return fmt.Errorf("lists update: %w", err)
		}
		dir = filepath.Join(data, "lists")
	}
	client := lc.client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lists update: %w", err)
	}
	failed := 0
	for _, src := range sources {
		res, err := updateSource(ctx, client, dir, src)
		if err != nil {
			failed++
			fmt.Fprintf(lc.c.stderr, "tollgate: lists update: %s: %s; nothing was changed\n", src.Name, oneLine(err.Error()))
			continue
		}
		fmt.Fprintf(lc.c.stdout, "%s: %s entities (%s), %s problems, sha256:%s, in %s\n",
			src.Name, thousands(len(res.Entities)), formatCounts(res.Counts()), thousands(len(res.Problems)),
			res.Digest, res.Path)
	}
	if statErr != nil {
		os.Remove(dir) // created above; removed again only when nothing was written
	}
	if failed > 0 {
		return fmt.Errorf("lists update: %d of %d sources were not updated", failed, len(sources))
	}
	return nil
}

// selectSources returns the sources --source names, all when none.
func (lc *listsCmd) selectSources(only []string) ([]listSource, error) {
	if len(only) == 0 {
		return lc.sources, nil
	}
	var names []string
	for _, s := range lc.sources {
		names = append(names, s.Name)
	}
	var out []listSource
	for _, name := range only {
		found := false
		for _, s := range lc.sources {
			if strings.EqualFold(s.Name, strings.TrimSpace(name)) {
				out, found = append(out, s), true
			}
		}
		if !found {
			return nil, usageErrorf("--source: unknown source %q (want %s)", name, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// updateSource downloads a source's files into a staging directory in the
// lists directory root, validates them with lists.Load, and renames them
// into their place (same file system, so each rename is atomic). On any
// error the source's files are left as they were.
func updateSource(ctx context.Context, client *http.Client, root string, src listSource) (*lists.Result, error) {
	staging, err := os.MkdirTemp(root, ".update-"+src.Name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	var got []listFile
	for _, f := range src.Files {
		err := download(ctx, client, f.URL, filepath.Join(staging, f.Name))
		var status *httpStatusError
		if f.Optional && errors.As(err, &status) && status.code == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		got = append(got, f)
	}
	check := filepath.Join(staging, src.Files[0].Name)
	if src.Format == lists.FormatOFAC {
		check = staging
	}
	res, err := lists.Load(check)
	if err != nil {
		return nil, fmt.Errorf("the download is not a valid %s: %s", src.Label, errorLine(err))
	}
	if res.Format != src.Format {
		return nil, fmt.Errorf("the download is not a valid %s: it reads as %s", src.Label, res.Format)
	}
	if len(res.Entities) == 0 {
		return nil, fmt.Errorf("the download is not a valid %s: it lists no one", src.Label)
	}
	target := filepath.Join(root, filepath.FromSlash(src.Dir))
	if err := os.MkdirAll(target, 0o755); err != nil {
		return nil, err
	}
	for _, f := range got {
		if err := os.Rename(filepath.Join(staging, f.Name), filepath.Join(target, f.Name)); err != nil {
			return nil, err
		}
	}
	for _, f := range src.Files {
		if f.Optional && !containsFile(got, f.Name) {
			os.Remove(filepath.Join(target, f.Name))
		}
	}
	res.Path = filepath.Join(target, src.Files[0].Name)
	if src.Format == lists.FormatOFAC {
		res.Path = target
	}
	return res, nil
}

func containsFile(files []listFile, name string) bool {
	for _, f := range files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// httpStatusError is a download answered with a status other than 200.
type httpStatusError struct {
	url    string
	code   int
	status string
}

func (e *httpStatusError) Error() string { return e.url + " answered " + e.status }

// download fetches rawURL into path, synced to disk.
func download(ctx context.Context, client *http.Client, rawURL, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "tollgate/"+buildInfo().Version)
	resp, err := client.Do(req)
	if err != nil {
		return reachError(rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &httpStatusError{url: rawURL, code: resp.StatusCode, status: resp.Status}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, maxListBytes+1))
	if err == nil && n > maxListBytes {
		err = fmt.Errorf("%s is larger than %d MB", rawURL, maxListBytes>>20)
	} else if err != nil {
		err = reachError(rawURL, err)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// reachError says which host could not be reached and why, in one line.
func reachError(rawURL string, err error) error {
	host := rawURL
	if u, perr := url.Parse(rawURL); perr == nil && u.Host != "" {
		host = u.Host
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("download of %s interrupted", rawURL)
	case errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()):
		return fmt.Errorf("cannot reach %s: timed out", host)
	}
	return fmt.Errorf("cannot reach %s: %v", host, err)
}
