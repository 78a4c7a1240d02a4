package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tollgate"
	"tollgate/screen"
)

// screenBatchChunk is how many rows screen --in reads, screens and writes at a
// time: memory stays bounded however long the file is.
const screenBatchChunk = 4096

// screenBatchColumns are the columns screen --in reads; only name is required.
var screenBatchColumns = []string{"name", "id", "type", "country"}

// screenBatchLine is one line of screen --in's JSON Lines output.
type screenBatchLine struct {
	ID    string           `json:"id"`
	Query string           `json:"query"`
	Hits  []screenBatchHit `json:"hits"`
}

// screenBatchHit is one hit in a screenBatchLine.
type screenBatchHit struct {
	Score       float64             `json:"score"`
	List        string              `json:"list"`
	SourceID    string              `json:"source_id"`
	Name        string              `json:"name"`
	MatchedName string              `json:"matched_name"`
	Type        tollgate.EntityType `json:"type"`
}

// screenBatchOptions tune one batch run.
type screenBatchOptions struct {
	limit, workers int
	// typ and country apply to rows whose own column is absent or empty.
	typ     string
	country string
	// problem reports a bad row, which is then skipped.
	problem func(line int, msg string)
	// progress, when set, is called after each chunk with the rows read.
	progress func(rows int)
}

// screenBatchStats counts what a batch run did.
type screenBatchStats struct {
	Rows     int // data rows read, bad ones included
	Screened int
	Skipped  int
	WithHits int // screened rows with at least one hit
}

// screenBatchRow is one good input row.
type screenBatchRow struct {
	id string
	q  screen.Query
}

// screenBatchStream screens every row of tab against ix in chunks and
// writes one JSON line per good row to w, in input order.
func screenBatchStream(ctx context.Context, tab *screenTable, ix *screen.Index, w io.Writer, opts screenBatchOptions) (screenBatchStats, error) {
	var st screenBatchStats
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rows := make([]screenBatchRow, 0, screenBatchChunk)
	queries := make([]screen.Query, 0, screenBatchChunk)
	for eof := false; !eof; {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rows, queries = rows[:0], queries[:0]
		for len(rows) < screenBatchChunk {
			rec, err := tab.next()
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				return st, err
			}
			st.Rows++
			row, msg := screenBatchRowOf(tab, rec, opts)
			if msg != "" {
				st.Skipped++
				opts.problem(rec.line, msg)
				continue
			}
			rows = append(rows, row)
			queries = append(queries, row.q)
		}
		hits := ix.ScreenBatch(queries, opts.limit, opts.workers)
		for i, row := range rows {
			line := screenBatchLine{ID: row.id, Query: row.q.Name, Hits: make([]screenBatchHit, len(hits[i]))}
			for j := range hits[i] {
				h := &hits[i][j]
				line.Hits[j] = screenBatchHit{Score: screenRound(h.Score), List: h.Entity.List, SourceID: h.Entity.SourceID,
					Name: h.Entity.Name, MatchedName: h.MatchedName, Type: h.Entity.Type}
			}
			if err := enc.Encode(line); err != nil {
				return st, err
			}
			st.Screened++
			if len(line.Hits) > 0 {
				st.WithHits++
			}
		}
		if opts.progress != nil {
			opts.progress(st.Rows)
		}
	}
	return st, nil
}

// screenBatchRowOf checks one record; a non-empty message says why it is bad.
func screenBatchRowOf(tab *screenTable, rec screenRow, opts screenBatchOptions) (screenBatchRow, string) {
	if rec.bad != "" {
		return screenBatchRow{}, rec.bad
	}
	typ, country := tab.get(rec, "type"), tab.get(rec, "country")
	if strings.TrimSpace(typ) == "" {
		typ = opts.typ
	}
	if strings.TrimSpace(country) == "" {
		country = opts.country
	}
	q, err := screenQuery(tab.get(rec, "name"), typ, country)
	if err != nil {
		return screenBatchRow{}, tollgate.ErrorMessage(err)
	}
	id := strings.TrimSpace(tab.get(rec, "id"))
	if id == "" {
		id = strconv.Itoa(rec.line)
	}
	return screenBatchRow{id: id, q: q}, ""
}

func (c *cli) runScreenBatch(ctx context.Context, f screenFlags) error {
	if err := f.validate(); err != nil {
		return err
	}
	if f.explain {
		return usageErrorf("--explain: applies to a single NAME, not to --in")
	}
	// The defaults for rows are checked once, as flags.
	if _, err := screenQuery("-", f.typ, f.country); err != nil {
		return screenFlagError(err)
	}
	in, label, size, err := c.openScreenInput(f.in)
	if err != nil {
		return err
	}
	defer in.Close()
	counted := &screenCounter{r: in}
	tab, err := openScreenTable(counted, label, screenBatchColumns, []string{"name"})
	if err != nil {
		return err
	}
	if len(tab.ignored) > 0 {
		fmt.Fprintf(c.stderr, "tollgate: screen: %s: ignoring column(s) %s (reads %s)\n", label, strings.Join(tab.ignored, ", "), strings.Join(screenBatchColumns, ", "))
	}
	out, err := createScreenOutput(c.stdout, f.out)
	if err != nil {
		return err
	}
	defer out.discard()
	set, err := c.loadScreenLists(ctx, f.lists, f.db, screenConfig(f.threshold))
	if err != nil {
		return err
	}
	// The progress line goes to an interactive stderr, unless the JSON Lines
	// go to the same terminal.
	interactive := isTerminal(c.stderr) && (f.out != "" || !isTerminal(c.stdout))
	prog := &screenProgress{w: c.stderr, on: interactive, now: c.now, start: c.now(), size: size, read: counted}
	opts := screenBatchOptions{limit: f.limit, workers: f.workers, typ: f.typ, country: f.country, progress: prog.update,
		problem: func(line int, msg string) {
			prog.clear()
			fmt.Fprintf(c.stderr, "tollgate: screen: %s:%d: %s; row skipped\n", label, line, msg)
		}}
	st, err := screenBatchStream(ctx, tab, set.index, out.w, opts)
	prog.clear()
	if err != nil {
		return fmt.Errorf("screen --in %s: %w", label, err)
	}
	secs := c.now().Sub(prog.start).Seconds()
	fmt.Fprintf(c.stderr, "tollgate: screen: %s rows, %s screened, %s skipped, %s with hits; %s names/s (%.2f s)\n",
		thousands(st.Rows), thousands(st.Screened), thousands(st.Skipped), thousands(st.WithHits), screenRate(st.Screened, secs), secs)
	// A batch in which no row could be screened answered nothing: it
	// fails, and writes no --out file, rather than pass for a clean one.
	switch {
	case st.Screened == 0 && st.Rows == 0:
		return tollgate.Errorf(tollgate.EINVALID, "screen --in %s: the file has no rows to screen", label)
	case st.Screened == 0:
		return tollgate.Errorf(tollgate.EINVALID, "screen --in %s: no row could be screened: all %s were skipped (see above)", label, thousands(st.Rows))
	}
	return out.commit()
}

// openScreenInput opens --in: a file, or standard input for "-". size is the
// file's size for progress, 0 when unknown.
func (c *cli) openScreenInput(path string) (r io.ReadCloser, label string, size int64, err error) {
	if path == "-" {
		return io.NopCloser(c.stdin), "<stdin>", 0, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, "", 0, usageErrorf("--in: %v", err)
	}
	if fi, err := file.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return file, path, size, nil
}

// screenRate formats n per secs seconds as a whole number per second.
func screenRate(n int, secs float64) string {
	if secs <= 0 {
		return "-"
	}
	return thousands(int(float64(n)/secs + 0.5))
}

// screenCounter counts the bytes read through it, for progress.
type screenCounter struct {
	r io.Reader
	n int64
}

func (cr *screenCounter) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n += int64(n)
	return n, err
}

// screenProgress draws a one-line progress report with \r on an interactive
// terminal and does nothing otherwise.
type screenProgress struct {
	w     io.Writer
	on    bool
	now   func() time.Time
	start time.Time
	size  int64
	read  *screenCounter
	drawn bool
}

func (p *screenProgress) update(rows int) {
	if !p.on {
		return
	}
	secs := p.now().Sub(p.start).Seconds()
	pct := ""
	if p.size > 0 {
		pct = fmt.Sprintf("%3d%%  ", min(100, p.read.n*100/p.size))
	}
	fmt.Fprintf(p.w, "\r\033[Kscreening: %s%s rows, %s names/s", pct, thousands(rows), screenRate(rows, secs))
	p.drawn = true
}

// clear erases the progress line so that a message can be printed.
func (p *screenProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// screenOutput is where a command writes its result: standard output, or a file
// written to a temporary name and renamed on commit, so that a failed run
// leaves nothing half-written.
type screenOutput struct {
	w    *bufio.Writer
	file *os.File // nil for standard output
	path string
	done bool
}

// createScreenOutput opens path for writing through a temporary file beside it,
// or w when path is empty.
func createScreenOutput(w io.Writer, path string) (*screenOutput, error) {
	if path == "" {
		return &screenOutput{w: bufio.NewWriterSize(w, 64<<10)}, nil
	}
	file, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, usageErrorf("--out: %v", err)
	}
	return &screenOutput{w: bufio.NewWriterSize(file, 64<<10), file: file, path: path}, nil
}

// commit flushes the output and, for a file, moves it into place.
func (o *screenOutput) commit() error {
	if err := o.w.Flush(); err != nil {
		return err
	}
	if o.file == nil {
		o.done = true
		return nil
	}
	if err := o.file.Chmod(0o644); err != nil {
		return err
	}
	if err := o.file.Close(); err != nil {
		return err
	}
	if err := os.Rename(o.file.Name(), o.path); err != nil {
		return err
	}
	o.done = true
	return nil
}

// discard removes the temporary file of an output that was not committed.
func (o *screenOutput) discard() {
	if o.done || o.file == nil {
		return
	}
	o.file.Close()
	os.Remove(o.file.Name())
}
