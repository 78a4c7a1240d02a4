package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"tollgate/auditlog"
)

// Reconcile's findings: what is wrong with one object.
const (
	// ReconcileDiffers: the live object's digest is not its last record's
	// after-digest; it was changed without the log.
	ReconcileDiffers = "differs"
	// ReconcileUnrecorded: a live object no record names.
	ReconcileUnrecorded = "unrecorded"
	// ReconcileMissing: the log says the object exists; its row is gone.
	ReconcileMissing = "missing"
	// ReconcileRemoved: the log says the object no longer exists; its row
	// is there.
	ReconcileRemoved = "removed_in_log"
	// ReconcileRecordAltered: an audit record's indexed columns disagree
	// with its canonical encoding (the bytes the Merkle tree covers).
	ReconcileRecordAltered = "record_altered"
)

// ReconcileFinding names one object whose live row is not what the audit
// log says it is.
type ReconcileFinding struct {
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Table      string `json:"table"`
	Problem    string `json:"problem"` // one of the Reconcile… constants
	// Seq is the object's last record that states it (-1 when none).
	Seq int64 `json:"seq"`
	// Fields names the fields that differ, when the store keeps an
	// authentic copy of the object as its last record saw it (see
	// audit_objects); empty when it does not.
	Fields []string `json:"fields,omitempty"`

	after string // the record's after-digest, while the fields are looked up
	live  any    // the live object, likewise
}

// ReconcileTable counts what Reconcile read of one table.
type ReconcileTable struct {
	ObjectType string `json:"object_type"`
	Table      string `json:"table"`
	Objects    int64  `json:"objects"`  // live rows
	Recorded   int64  `json:"recorded"` // objects the log states
	Findings   int64  `json:"findings"`
}

// ReconcileReport is the result of Reconcile: the tables read, and the
// findings, at most the limit asked for (Total counts them all).
type ReconcileReport struct {
	CheckedAt time.Time          `json:"checked_at"`
	LogSize   int64              `json:"log_size"`
	Tables    []ReconcileTable   `json:"tables"`
	Findings  []ReconcileFinding `json:"findings"`
	Total     int64              `json:"total_findings"`
	Truncated bool               `json:"truncated,omitempty"`
}

// OK reports whether the live data is what the log says.
func (r *ReconcileReport) OK() bool { return r.Total == 0 }

// DefaultReconcileLimit is how many findings Reconcile reports by default.
const DefaultReconcileLimit = 1000

// reconcilePage is how many live objects Reconcile reads per statement.
const reconcilePage = 1000

// Reconcile compares every live object of every table the audit log covers
// with its last audit record that states it (a record with a before- or
// after-digest; events such as a failed login state nothing): the object's
// digest, computed by the function Tx.Audit uses (auditState), must be the
// record's after-digest. It names every object that differs, every live
// object no record names, and every object the log says exists whose row is
// gone. It reads one snapshot, each table and its records in id order, a
// page at a time: one pass over the live rows and one over the log's
// object index. At most limit findings are listed (0 means
// DefaultReconcileLimit); all are counted.
//
// Reconcile trusts the records' canonical encodings, which `audit verify`
// proves against the signed checkpoints; run both.
func (db *DB) Reconcile(ctx context.Context, limit int) (*ReconcileReport, error) {
	if limit <= 0 {
		limit = DefaultReconcileLimit
	}
	rep := &ReconcileReport{Findings: []ReconcileFinding{}}
	err := db.View(ctx, func(tx *Tx) error {
		rep.CheckedAt = tx.now
		if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_size WHERE id = 1`).Scan(&rep.LogSize); err != nil {
			return fmt.Errorf("audit log size: %w", err)
		}
		for _, t := range auditedTables {
			rt, err := reconcileTable(ctx, tx, t, rep, limit)
			if err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
			rep.Tables = append(rep.Tables, rt)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store.Reconcile: %w", err)
	}
	return rep, nil
}

// recordedState is the last record stating one object.
type recordedState struct {
	id    string
	seq   int64
	after string // "" when the object no longer exists
}

// reconcileTable compares table t page by page: a page of live objects,
// then the object index of the log over the same range of ids. One
// goroutine reads the pages (the transaction's one connection) while the
// caller's digests the objects of the page before, on every core; the
// fields of the objects that differ are looked up once the reading is done.
func reconcileTable(ctx context.Context, tx *Tx, t auditedTable, rep *ReconcileReport, limit int) (ReconcileTable, error) {
	rt := ReconcileTable{ObjectType: t.objectType, Table: t.table}
	var differs []int // indexes in rep.Findings of listed findings to name the fields of
	add := func(f ReconcileFinding) {
		f.ObjectType, f.Table = t.objectType, t.table
		rt.Findings++
		rep.Total++
		if len(rep.Findings) >= limit {
			rep.Truncated = true
			return
		}
		if f.Problem == ReconcileDiffers {
			differs = append(differs, len(rep.Findings))
		}
		rep.Findings = append(rep.Findings, f)
	}
	readCtx, stop := context.WithCancel(ctx)
	pages := make(chan reconcilePageRead, 2)
	go readPages(readCtx, tx, t, pages)
	defer func() {
		stop()
		for range pages { // let the reader finish with the connection
		}
	}()
	for p := range pages {
		if p.err != nil {
			return rt, p.err
		}
		for _, f := range p.altered {
			add(f)
		}
		digests, err := liveDigests(p.live)
		if err != nil {
			return rt, err
		}
		rt.Objects += int64(len(p.live))
		live, states := p.live, p.states
		i, j := 0, 0
		for i < len(live) || j < len(states) {
			switch {
			case j == len(states) || i < len(live) && live[i].id < states[j].id:
				add(ReconcileFinding{ObjectID: live[i].id, Problem: ReconcileUnrecorded, Seq: -1})
				i++
			case i == len(live) || states[j].id < live[i].id:
				if states[j].after != "" {
					rt.Recorded++
					add(ReconcileFinding{ObjectID: states[j].id, Problem: ReconcileMissing, Seq: states[j].seq})
				}
				j++
			default:
				o, st := live[i], states[j]
				rt.Recorded++
				switch {
				case st.after == "":
					add(ReconcileFinding{ObjectID: o.id, Problem: ReconcileRemoved, Seq: st.seq})
				case len(o.columns) > 0 || digests[i] != st.after:
					add(ReconcileFinding{ObjectID: o.id, Problem: ReconcileDiffers, Seq: st.seq, Fields: o.columns, after: st.after, live: o.v})
				}
				i, j = i+1, j+1
			}
		}
	}
	for _, k := range differs {
		f := &rep.Findings[k]
		body, _, err := auditState(f.live)
		if err != nil {
			return rt, fmt.Errorf("object %s: %w", f.ObjectID, err)
		}
		fields, err := differingFields(ctx, tx, t, f.ObjectID, body, f.after)
		if err != nil {
			return rt, err
		}
		f.Fields = append(f.Fields, fields...)
		f.live = nil
	}
	return rt, nil
}

// reconcilePageRead is one page of a table and its records, as readPages
// read it.
type reconcilePageRead struct {
	live    []liveObject
	states  []recordedState
	altered []ReconcileFinding
	err     error
}

// readPages reads table t a page at a time with the log's states of the
// same range of ids, sending each page to out until the last, an error or
// ctx's end; it closes out.
func readPages(ctx context.Context, tx *Tx, t auditedTable, out chan<- reconcilePageRead) {
	defer close(out)
	after := ""
	for {
		var p reconcilePageRead
		p.live, p.err = t.read(ctx, tx, after, reconcilePage)
		last, hi := len(p.live) < reconcilePage, ""
		if !last {
			hi = p.live[len(p.live)-1].id
		}
		if p.err == nil {
			p.states, p.altered, p.err = recordedStates(ctx, tx, t.objectType, after, hi)
		}
		if p.err == nil {
			p.err = inOrder(p.live, p.states, after)
		}
		if p.err != nil {
			p.err = fmt.Errorf("%s: %w", t.table, p.err)
		}
		select {
		case out <- p:
		case <-ctx.Done():
			return
		}
		if last || p.err != nil {
			return
		}
		after = hi
	}
}

// liveDigests returns the digests of the states of live (auditState), on
// every core.
func liveDigests(live []liveObject) ([]string, error) {
	digests := make([]string, len(live))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(live)/64))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(live); i += workers {
				_, d, err := auditState(live[i].v)
				if err != nil {
					errs[w] = fmt.Errorf("object %s: %w", live[i].id, err)
					return
				}
				digests[i] = d
			}
		})
	}
	wg.Wait()
	return digests, errors.Join(errs...)
}

// inOrder checks that both pages are in strictly increasing id order above
// after, the order the merge needs: a database whose collation orders ids
// otherwise is an error, never a silent miscomparison.
func inOrder(live []liveObject, states []recordedState, after string) error {
	prev := after
	for _, o := range live {
		if o.id <= prev {
			return fmt.Errorf("live rows out of id order at %q", o.id)
		}
		prev = o.id
	}
	prev = after
	for _, s := range states {
		if s.id <= prev {
			return fmt.Errorf("audit records out of object order at %q", s.id)
		}
		prev = s.id
	}
	return nil
}

// recordedStates returns, for each object of objectType with an id above
// after (and at most hi, unless hi is empty), its last record that states
// it, in id order; and a finding for each record whose columns disagree
// with its canonical encoding.
func recordedStates(ctx context.Context, tx *Tx, objectType, after, hi string) ([]recordedState, []ReconcileFinding, error) {
	q, args := `SELECT object_id, seq, canonical FROM audit_records WHERE object_type = ? AND object_id > ?`, []any{objectType, after}
	if hi != "" {
		q, args = q+` AND object_id <= ?`, append(args, hi)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY object_id, seq`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("read audit records: %w", err)
	}
	defer rows.Close()
	var (
		out     []recordedState
		altered []ReconcileFinding
	)
	for rows.Next() {
		var (
			id    string
			seq   int64
			canon []byte
		)
		if err := rows.Scan(&id, &seq, &canon); err != nil {
			return nil, nil, fmt.Errorf("read audit records: %w", err)
		}
		r, err := auditlog.ParseRecord(canon)
		if err != nil || r.Seq != seq || r.ObjectType != objectType || r.ObjectID != id {
			altered = append(altered, ReconcileFinding{ObjectID: id, Problem: ReconcileRecordAltered, Seq: seq})
			continue
		}
		if r.Before == "" && r.After == "" {
			continue // an event about the object, not a state of it
		}
		if n := len(out); n > 0 && out[n-1].id == id {
			out[n-1] = recordedState{id: id, seq: seq, after: r.After}
		} else {
			out = append(out, recordedState{id: id, seq: seq, after: r.After})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read audit records: %w", err)
	}
	return out, altered, nil
}

// differingFields names the fields of object id of table t whose live
// state (canonical JSON) differs from the copy of its last recorded state
// in audit_objects, when that copy is authentic (its digest is the record's
// after-digest); nil when the store keeps no authentic copy.
func differingFields(ctx context.Context, tx *Tx, t auditedTable, id string, live []byte, after string) ([]string, error) {
	var body []byte
	err := tx.QueryRowContext(ctx, `SELECT body FROM audit_objects WHERE object_type = ? AND object_id = ?`, t.objectType, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (body == nil || auditlog.DigestCanonical(body) != after) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recorded state of %s %s: %w", t.objectType, id, err)
	}
	return diffJSON("", body, live), nil
}

// diffJSON returns the paths (dotted, from the top) at which two canonical
// JSON values differ: into objects key by key, arrays and scalars whole.
func diffJSON(path string, a, b []byte) []string {
	if bytes.Equal(a, b) {
		return nil
	}
	var ao, bo map[string]json.RawMessage
	if json.Unmarshal(a, &ao) != nil || json.Unmarshal(b, &bo) != nil || ao == nil || bo == nil {
		if path == "" {
			path = "."
		}
		return []string{path}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(joinKeys(ao, bo))) {
		p := k
		if path != "" {
			p = path + "." + k
		}
		av, aok := ao[k]
		bv, bok := bo[k]
		switch {
		case aok != bok:
			out = append(out, p)
		default:
			out = append(out, diffJSON(p, av, bv)...)
		}
	}
	return out
}

// joinKeys returns the keys of both maps.
func joinKeys(a, b map[string]json.RawMessage) map[string]bool {
	keys := make(map[string]bool, len(a)+len(b))
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// auditObject is the recorded state of one object: the canonical JSON of
// its audited view after its last change in a transaction, nil when the
// change removed it.
type auditObject struct {
	objectType, objectID string
	body                 []byte
}

// recordedObjects returns the states that the records recs state, one per
// object (its last in recs), in the order first seen. Records that state
// nothing (events) and records of no object are left out.
func recordedObjects(recs []pendingAudit) []auditObject {
	var out []auditObject
	index := map[[2]string]int{}
	for _, p := range recs {
		r := &p.rec
		if r.ObjectID == "" || r.Before == "" && r.After == "" {
			continue
		}
		o := auditObject{objectType: r.ObjectType, objectID: r.ObjectID, body: p.body}
		k := [2]string{r.ObjectType, r.ObjectID}
		if i, ok := index[k]; ok {
			out[i] = o
			continue
		}
		index[k] = len(out)
		out = append(out, o)
	}
	return out
}
