package shipping_test

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/internal/testenv"
	"tollgate/shipping"
	"tollgate/shipping/shipload"
	"tollgate/store"
	"tollgate/store/storetest"
)

// TestStoredShippingProperties runs random sequences of shipping
// operations (reserve, ship, void, US shipments and their reversals, the
// clock passing reservations' expiry, sweeps, and bursts of concurrent
// operations that the store's group commit runs in shared transactions)
// through shipping.Service over a real store, and checks them against a
// model of the rules:
//
//   - every operation run alone succeeds or is refused exactly as the model
//     decides, with the model's error code and, for ELIMIT, the model's
//     limit (a refusal is never anything but ELIMIT, ECONFLICT,
//     EPRECONDITION or ENOTFOUND), and writes exactly the model's audit
//     records;
//   - the outcomes of a concurrent burst (2 to 8 calls, some on the same
//     units or reservation, released together behind a held group
//     transaction so that the service's sets and the store's group commit
//     run them together) are those of the same calls run one at a time,
//     the successful ones in the order of their audit records and the
//     refused ones at some point between (group commit and sets are
//     serializable in the audit log's order), with exactly the records of
//     that run;
//   - reservations past their time are marked expired once each, all of
//     them by a sweep or a successful reservation, and a sweep counts them;
//   - after every burst and at the end: Service.Verify (the store's counter
//     check and the cap) reports nothing but what a US reversal allows; the
//     license's, the orders' and the destination's counters, the cap
//     position and every export's state equal the model's; the China units
//     held never exceed 50% of the US units unless a reversal lowered the
//     cap under units already held, and then no more than were held; no
//     serial is held by two exports; every unit held was imported for
//     export and passed a signed lab report; the license's quantity and
//     value and the orders' quantities are never exceeded.
//
// It runs on SQLite and, when TOLLGATE_TEST_POSTGRES is set and not in
// -short mode, on PostgreSQL, each check on a fresh database. The number
// of checks is -rapid.checks (or RAPID_CHECKS) when given, else
// storedChecksSQLite and storedChecksPostgres.
func TestStoredShippingProperties(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		stats := propStats{}
		dir := t.TempDir()
		n := 0
		withRapidChecks(t, storedChecksSQLite, func() {
			rapid.Check(t, func(rt *rapid.T) {
				n++
				path := filepath.Join(dir, fmt.Sprintf("prop-%d.db", n))
				rt.Cleanup(func() {
					for _, suffix := range []string{"", "-wal", "-shm"} {
						os.Remove(path + suffix)
					}
				})
				storedShippingProperty(rt, "sqlite:"+path, stats)
			})
		})
		stats.log(t)
	})
	t.Run("postgres", func(t *testing.T) {
		base := testenv.PostgresURL(t)
		if testing.Short() {
			t.Skip("skipping the PostgreSQL property test in -short mode")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		stats := propStats{}
		withRapidChecks(t, storedChecksPostgres, func() {
			rapid.Check(t, func(rt *rapid.T) {
				storedShippingProperty(rt, testenv.NewSchema(rt, admin, base, "tollgate_prop_test_"), stats)
			})
		})
		stats.log(t)
	})
}

// The default number of checks of each backend: each check opens and
// migrates a database and builds a world in it, which dominates its time.
const (
	storedChecksSQLite   = 40
	storedChecksPostgres = 10
)

// propStats counts the outcomes of the operations over all checks, to
// show what the random sequences exercised.
type propStats map[string]int

func (s propStats) log(t *testing.T) {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		lines = append(lines, fmt.Sprintf("%s: %d", k, s[k]))
	}
	t.Logf("outcomes: %s", strings.Join(lines, ", "))
}

// withRapidChecks runs f with rapid's number of checks set to n, unless
// the command line (-rapid.checks) or the environment (RAPID_CHECKS) chose
// one.
func withRapidChecks(t *testing.T, n int, f func()) {
	fl := flag.Lookup("rapid.checks")
	set := os.Getenv("RAPID_CHECKS") != ""
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if fl == nil || set {
		f()
		return
	}
	old := fl.Value.String()
	if err := fl.Value.Set(fmt.Sprint(n)); err != nil {
		t.Fatal(err)
	}
	defer fl.Value.Set(old)
	f()
}

// storedShippingProperty is one check: a fresh store and world, a random
// sequence of operations, and the checks.
func storedShippingProperty(rt *rapid.T, dsn string, stats propStats) {
	env := newPropEnv(rt, dsn)
	env.stats = stats
	m := newPropModel()
	if us := rapid.Int64Range(0, 40).Draw(rt, "us-units"); us > 0 {
		env.step(rt, m, propOp{kind: opUSShipment, usUnits: us, usRef: env.ref("INV-PROP")})
	}
	steps := rapid.IntRange(20, 60).Draw(rt, "steps")
	for i := range steps {
		label := fmt.Sprintf("step%d", i)
		switch k := rapid.IntRange(0, 99).Draw(rt, label); {
		case k < 35:
			env.step(rt, m, env.drawReserve(rt, m, label))
		case k < 50:
			env.step(rt, m, env.drawExportOp(rt, m, opShip, label))
		case k < 57:
			env.step(rt, m, env.drawExportOp(rt, m, opVoid, label))
		case k < 65:
			d := rapid.SampledFrom(propAdvances(env.ttl)).Draw(rt, label+"-advance")
			env.clock.Advance(d)
			rt.Logf("%s: clock +%s", label, d)
		case k < 70:
			env.step(rt, m, propOp{kind: opSweep})
		case k < 75:
			env.step(rt, m, env.drawUSShipment(rt, label))
		case k < 81:
			env.step(rt, m, env.drawReversal(rt, m, label))
		default:
			env.burst(rt, m, label)
			env.checkAll(rt, m)
		}
	}
	env.checkAll(rt, m)
	// Drain: once every reservation has expired and the sweep has run,
	// nothing is reserved anywhere and only the shipments hold.
	env.clock.Advance(env.ttl)
	env.step(rt, m, propOp{kind: opSweep})
	env.checkAll(rt, m)
	for _, e := range m.exports {
		if e.state == tollgate.ExportReserved {
			rt.Fatalf("export %s still reserved after its expiry and a sweep", e.id)
		}
	}
}

// propAdvances are the clock's steps: short ones, and ones that land on a
// reservation's expiry exactly or just past it.
func propAdvances(ttl time.Duration) []time.Duration {
	return []time.Duration{time.Minute, time.Hour, 6 * time.Hour, ttl - time.Minute, ttl, ttl + time.Minute}
}

// unitKind is what the world knows of a serial.
type unitKind int

const (
	unitUnknown  unitKind = iota // never imported
	unitOK                       // imported for export, passing signed lab report
	unitUntested                 // imported, no lab report
	unitFailed                   // imported, failing lab report
	unitBound                    // imported under the US end-use exemption
)

var unitNames = map[unitKind]string{unitUnknown: "NEVER", unitOK: "OK", unitUntested: "UNTESTED", unitFailed: "FAILED", unitBound: "BOUND"}

// propLot is the world's lot, imported (when lotQty > 0) and tested;
// propNoLot is never imported; propNoneID is the id of no export, order or
// US shipment.
const (
	propLot     = "TW-PROP-LOT"
	propNoLot   = "TW-NO-LOT"
	propNoneID  = "00000000-0000-4000-8000-000000000000"
	propReason  = "property test"
	propPriceUS = shipload.UnitPriceCents
)

// propEnv is one check's store, service, clock and world.
type propEnv struct {
	ctx   context.Context
	db    *store.DB
	svc   *shipping.Service
	clock *storetest.Clock
	w     *shipload.World
	ttl   time.Duration

	licenseID string
	licQty    int64
	orders    []string
	orderQty  map[string]int64
	pool      []string // the serials reservations draw from
	okSerials []string // those that may ship, first in pool
	kind      map[string]unitKind
	lotQty    int64
	seq       int
	stats     propStats
	auditSeq  int64 // the audit log's size when last read
}

func newPropEnv(rt *rapid.T, dsn string) *propEnv {
	ctx := context.Background()
	clock := storetest.NewClock()
	db, err := store.Open(ctx, dsn, clock.Now)
	if err != nil {
		rt.Fatalf("store.Open: %v", err)
	}
	rt.Cleanup(func() {
		if err := db.Close(); err != nil {
			rt.Errorf("Close: %v", err)
		}
	})
	svc, err := shipping.NewService(db, classify.Default(), catalog.Default().Lookup, shipping.DefaultConfig())
	if err != nil {
		rt.Fatal(err)
	}
	w, err := shipload.NewWorld(ctx, db, svc)
	if err != nil {
		rt.Fatal(err)
	}
	env := &propEnv{ctx: ctx, db: db, svc: svc, clock: clock, w: w, ttl: svc.Config().ReservationTTL,
		orderQty: map[string]int64{}, kind: map[string]unitKind{}}
	must := func(err error) {
		if err != nil {
			rt.Helper()
			rt.Fatal(err)
		}
	}

	env.licQty = rapid.Int64Range(3, 20).Draw(rt, "license-units")
	env.licenseID, err = w.License(ctx, env.licQty)
	must(err)
	// Serials: those that may ship first, so that shrinking goes to them.
	counts := map[unitKind]int{
		unitOK:       rapid.IntRange(4, 14).Draw(rt, "ok-serials"),
		unitUntested: rapid.IntRange(0, 2).Draw(rt, "untested-serials"),
		unitFailed:   rapid.IntRange(0, 2).Draw(rt, "failed-serials"),
		unitBound:    rapid.IntRange(0, 2).Draw(rt, "bound-serials"),
		unitUnknown:  2,
	}
	seq := 0
	for _, k := range []unitKind{unitOK, unitUntested, unitFailed, unitBound, unitUnknown} {
		var ss []string
		for i := range counts[k] {
			s := fmt.Sprintf("H200-%s-%03d", unitNames[k], i)
			ss = append(ss, s)
			env.kind[s] = k
		}
		env.pool = append(env.pool, ss...)
		if k == unitOK {
			env.okSerials = ss
		}
		if len(ss) == 0 || k == unitUnknown {
			continue
		}
		units := tollgate.Units{Serials: ss, Count: int64(len(ss))}
		exemption := ""
		if k == unitBound {
			exemption = "9903.79.03"
		}
		seq++
		_, err := w.Import(ctx, seq, units, exemption)
		must(err)
		switch k {
		case unitOK:
			_, err = w.LabReport(ctx, "LAB-PROP-OK", units, 1975)
		case unitFailed:
			_, err = w.LabReport(ctx, "LAB-PROP-FAIL", units, 2100)
		}
		must(err)
	}
	if env.lotQty = rapid.Int64Range(0, 6).Draw(rt, "lot-units"); env.lotQty > 0 {
		units := tollgate.Units{Lot: propLot, Count: env.lotQty}
		seq++
		_, err := w.Import(ctx, seq, units, "")
		must(err)
		_, err = w.LabReport(ctx, "LAB-PROP-LOT", units, 1975)
		must(err)
	}
	for i := range rapid.IntRange(1, 3).Draw(rt, "orders") {
		qty := rapid.Int64Range(2, 10).Draw(rt, fmt.Sprintf("order%d-units", i))
		o, err := w.Order(ctx, fmt.Sprintf("PO-PROP-%d", i), qty, env.licenseID)
		must(err)
		env.orders = append(env.orders, o.ID)
		env.orderQty[o.ID] = qty
	}
	env.auditSeq, err = db.AuditSize(ctx)
	must(err)
	return env
}

// now is the time the store stamps on what happens now.
func (env *propEnv) now() time.Time { return env.clock.Now().UTC().Truncate(time.Microsecond) }

func (env *propEnv) ref(prefix string) string {
	env.seq++
	return fmt.Sprintf("%s-%04d", prefix, env.seq)
}

// opKind is a kind of operation.
type opKind int

const (
	opReserve opKind = iota
	opShip
	opVoid
	opUSShipment
	opReversal
	opSweep
)

// propOp is one operation with its arguments.
type propOp struct {
	kind     opKind
	orderID  string         // reserve
	units    tollgate.Units // reserve
	exportID string         // ship, void
	usID     string         // reversal
	usUnits  int64          // US shipment; reversal (0: all that is left)
	usRef    string         // US shipment
}

func (o propOp) kindName() string {
	return [...]string{"reserve", "ship", "void", "us-shipment", "reversal", "sweep"}[o.kind]
}

func (o propOp) String() string {
	switch o.kind {
	case opReserve:
		return fmt.Sprintf("reserve(order %s, %s)", short(o.orderID), unitsString(o.units))
	case opShip:
		return "ship(" + short(o.exportID) + ")"
	case opVoid:
		return "void(" + short(o.exportID) + ")"
	case opUSShipment:
		return fmt.Sprintf("us-shipment(%d)", o.usUnits)
	case opReversal:
		return fmt.Sprintf("reverse(%s, %d)", short(o.usID), o.usUnits)
	default:
		return "sweep"
	}
}

// short abbreviates an id to its last 8 characters (a UUIDv7 begins with
// its time).
func short(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

func unitsString(u tollgate.Units) string {
	if u.Lot != "" {
		return fmt.Sprintf("%d of lot %s", u.Count, u.Lot)
	}
	return strings.Join(u.Serials, ",")
}

// propOutcome is what the service did with an operation.
type propOutcome struct {
	code   string // the error's code; "" for success
	err    error
	export *tollgate.Export
	us     *tollgate.DomesticShipment
	swept  int
}

func (o propOutcome) String() string {
	if o.code == "" {
		return "ok"
	}
	return o.code
}

// run runs op through the service.
func (env *propEnv) run(op propOp) propOutcome {
	var out propOutcome
	switch op.kind {
	case opReserve:
		out.export, out.err = env.svc.Reserve(env.ctx, shipping.ReserveRequest{OrderID: op.orderID, Units: op.units})
	case opShip:
		out.export, out.err = env.svc.Ship(env.ctx, op.exportID, "AES-"+op.exportID, env.clock.Now())
	case opVoid:
		out.export, out.err = env.svc.Void(env.ctx, op.exportID, propReason)
	case opUSShipment:
		out.us, out.err = env.svc.RecordUSShipment(env.ctx, tollgate.DomesticShipment{ExporterOrgID: env.w.Exporter.ID,
			Product: shipload.Product, Units: op.usUnits, ShippedOn: env.clock.Now(), Customer: "US Cloud Inc.",
			EndUse: "cloud AI services", Reference: op.usRef})
	case opReversal:
		out.us, out.err = env.svc.ReverseUSShipment(env.ctx, op.usID, op.usUnits, propReason)
	case opSweep:
		out.swept, out.err = env.svc.Sweep(env.ctx, 0)
	}
	out.code = outcomeCode(out.err)
	return out
}

// outcomeCode returns err's code and, for ELIMIT, the limit: the order's
// quantity, the cap, or the license's quantity; "" for nil.
func outcomeCode(err error) string {
	code := tollgate.ErrorCode(err)
	if code != tollgate.ELIMIT {
		return code
	}
	var te *tollgate.Error
	switch {
	case errors.As(err, &te) && te.Details != nil:
		if d, ok := te.Details.(shipping.LimitExceeded); ok {
			return code + "/" + d.Limit
		}
	case strings.Contains(err.Error(), "license quantity exceeded"):
		return code + "/" + limitLicense
	}
	return code + "/?"
}

// The limits a reservation is refused for, as outcomeCode names them.
const (
	limitOrder   = tollgate.ELIMIT + "/" + shipping.LimitOrderQuantity
	limitCap     = tollgate.ELIMIT + "/" + shipping.LimitChinaCap
	limitLicense = "license_quantity"
)

// refusal fails rt unless out is a success or a refusal by the rules.
func refusal(rt *rapid.T, op propOp, out propOutcome) {
	switch code, _, _ := strings.Cut(out.code, "/"); code {
	case "", tollgate.ELIMIT, tollgate.ECONFLICT, tollgate.EPRECONDITION, tollgate.ENOTFOUND:
	default:
		rt.Fatalf("%s failed with %s, not a refusal by the rules: %v", op, out.code, out.err)
	}
	if op.kind == opSweep && out.err != nil {
		rt.Fatalf("sweep failed: %v", out.err)
	}
}

// step runs op alone and checks its outcome against the model's decision.
func (env *propEnv) step(rt *rapid.T, m *propModel, op propOp) {
	rt.Helper()
	now := env.now()
	want, wantSwept := m.decide(env, now, op)
	expired := m.expiredReserved(now)
	out := env.run(op)
	rt.Logf("%s -> %s", op, out)
	env.stats[op.kindName()+" "+out.String()]++
	refusal(rt, op, out)
	if out.code != want {
		rt.Fatalf("%s: got %s (%v), the model wants %q", op, out, out.err, want)
	}
	if op.kind == opSweep && out.swept != wantSwept {
		rt.Fatalf("sweep marked %d reservations expired, the model wants %d", out.swept, wantSwept)
	}
	m.audit = nil
	if err := m.apply(env, now, op, out); err != nil {
		rt.Fatal(err)
	}
	expiries, got := splitExpiries(env.audited(rt))
	if !sameLines(got, m.audit) {
		rt.Fatalf("%s: audit records %q, the model wants %q", op, got, m.audit)
	}
	// A sweep marks every reservation past its time, and so does a
	// reservation on its way ("the next reservation of its product
	// releases it"); a refused one may or may not have; nothing else does.
	var all, some bool
	switch {
	case op.kind == opSweep, op.kind == opReserve && out.code == "":
		all, some = true, true
	case op.kind == opReserve:
		some = len(expiries) > 0
		all = some
	}
	env.expiries(rt, m, op.String(), expired, expiries, all, some)
}

// splitExpiries splits audit records into the ids of the exports marked
// expired and the other records.
func splitExpiries(lines []string) (ids, rest []string) {
	for _, l := range lines {
		if id, ok := strings.CutPrefix(l, "export.expire "); ok {
			ids = append(ids, id)
		} else {
			rest = append(rest, l)
		}
	}
	return ids, rest
}

// expiries checks the reservations the store marked expired (ids, from
// the audit log) against those past their time (expired): each once, all
// of them when all, none unless some; and marks them in the model.
func (env *propEnv) expiries(rt *rapid.T, m *propModel, what string, expired []*propExport, ids []string, all, some bool) {
	rt.Helper()
	want := make([]string, len(expired))
	for i, e := range expired {
		want[i] = e.id
	}
	for i, id := range ids {
		if !slices.Contains(want, id) || slices.Contains(ids[:i], id) {
			rt.Fatalf("%s: marked expired %q; reservations past their time and not yet marked: %q", what, ids, want)
		}
	}
	switch {
	case all && len(ids) != len(want):
		rt.Fatalf("%s: marked expired %q, want every reservation past its time: %q", what, ids, want)
	case !some && len(ids) > 0:
		rt.Fatalf("%s: marked expired %q, want none marked", what, ids)
	}
	for _, id := range ids {
		m.byID[id].state = tollgate.ExportExpired
	}
}

// audited returns the audit records appended since the last call, as
// "action object-id".
func (env *propEnv) audited(rt *rapid.T) []string {
	var out []string
	for b, err := range env.db.AuditRecords(env.ctx, env.auditSeq) {
		if err != nil {
			rt.Fatal(err)
		}
		r, err := auditlog.ParseRecord(b)
		if err != nil {
			rt.Fatal(err)
		}
		out = append(out, r.Action+" "+r.ObjectID)
		env.auditSeq = r.Seq + 1
	}
	return out
}

// sameLines reports whether a and b hold the same lines, in any order.
func sameLines(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// burst runs 2 to 6 operations at once, so that the store's group commit
// runs them in shared transactions, and checks that their outcomes are
// those of running them one at a time in the order the audit log recorded
// the successful ones (the refused ones leave no record and may have run
// at any point), and that the log holds exactly the records of that run.
func (env *propEnv) burst(rt *rapid.T, m *propModel, label string) {
	n := rapid.IntRange(2, 8).Draw(rt, label+"-burst")
	ops := make([]propOp, n)
	for i := range ops {
		l := fmt.Sprintf("%s-%d", label, i)
		switch k := rapid.IntRange(0, 13).Draw(rt, l); {
		case k >= 11 && i > 0:
			// The same as an earlier one: two calls on the same
			// units, or the same reservation, at once.
			ops[i] = ops[rapid.IntRange(0, i-1).Draw(rt, l+"-again")]
			switch ops[i].kind {
			case opUSShipment:
				ops[i].usRef = env.ref("INV-PROP")
			case opReserve:
				env.review(rt, ops[i].units) // each reservation has its own
			}
		case k < 5:
			ops[i] = env.drawReserve(rt, m, l)
		case k < 6:
			ops[i] = env.drawExportOp(rt, m, opShip, l)
		case k < 7:
			ops[i] = env.drawExportOp(rt, m, opVoid, l)
		case k < 8:
			ops[i] = env.drawUSShipment(rt, l)
		case k < 10:
			ops[i] = env.drawReversal(rt, m, l)
		case k == 10:
			ops[i] = propOp{kind: opSweep}
		default:
			ops[i] = env.drawReserve(rt, m, l)
		}
	}
	// Hold the group queue (0: no), and have the service's sets primed
	// (2), or not (1).
	hold := rapid.IntRange(0, 2).Draw(rt, label+"-hold")
	now := env.now()
	outs := make([]propOutcome, n)
	start := make(chan struct{})
	var ready, wg sync.WaitGroup
	for i := range ops {
		ready.Add(1)
		wg.Go(func() {
			<-start
			ready.Done()
			outs[i] = env.run(ops[i])
		})
	}
	if hold > 0 {
		// Hold the store's group queue with a transaction of our own
		// while the burst's calls queue up behind it, so that they run
		// together in the next group's transaction. (How many make it
		// into the queue in time varies; what the checks require does
		// not depend on it.)
		release := env.holdGroupQueue(rt)
		primed := func() {}
		if hold == 2 {
			primed = env.primeSets(rt)
		}
		close(start)
		ready.Wait()
		time.Sleep(2 * time.Millisecond)
		release()
		primed()
	} else {
		close(start)
	}
	wg.Wait()
	var desc []string
	for i := range ops {
		desc = append(desc, fmt.Sprintf("%s -> %s", ops[i], outs[i]))
	}
	rt.Logf("%s: burst [%s]", label, strings.Join(desc, "; "))
	for i := range ops {
		refusal(rt, ops[i], outs[i])
	}

	expiries, got := splitExpiries(env.audited(rt))
	rank := make([]int, n)
	for i := range ops {
		rank[i] = -1
		if p := primaryRecord(ops[i], outs[i]); p != "" {
			if rank[i] = slices.Index(got, p); rank[i] < 0 {
				rt.Fatalf("%s succeeded without its audit record %q: the burst's records are %q", ops[i], p, got)
			}
		}
	}
	expired := m.expiredReserved(now)
	m.audit = nil
	next, order := m.linearize(env, now, ops, outs, rank)
	if next == nil {
		rt.Fatalf("no order of running the burst's operations one at a time, the successful ones in the order of their audit records %q, gives its outcomes: [%s]",
			got, strings.Join(desc, "; "))
	}
	rt.Logf("%s: as if run in the order %v", label, order)
	if !sameLines(got, next.audit) {
		rt.Fatalf("the burst's audit records are %q; run in the order %v, the model wants %q", got, order, next.audit)
	}
	env.stats["burst"]++
	env.stats["burst op"] += len(ops)
	if !slices.IsSorted(order) {
		env.stats["burst run out of draw order"]++
	}
	for i, op := range ops {
		env.stats["burst "+op.kindName()+" "+outs[i].String()]++
	}
	// A sweep, or a successful reservation, marks every reservation past
	// its time; a refused reservation may; the sweeps count what they
	// marked.
	swept, all, reserves := 0, false, false
	for i, op := range ops {
		switch op.kind {
		case opSweep:
			swept, all = swept+outs[i].swept, true
		case opReserve:
			reserves = true
			all = all || outs[i].code == ""
		}
	}
	*m = *next
	env.expiries(rt, m, label, expired, expiries, all, all || reserves)
	if swept > len(expiries) || (!reserves && swept != len(expiries)) {
		rt.Fatalf("%s: the sweeps marked %d reservations expired; the audit log has %d marked", label, swept, len(expiries))
	}

}

// holdGroupQueue starts a group transaction of the store's (UpdateLocked)
// that does nothing and ends when the returned function is called, which
// waits for it to commit.
func (env *propEnv) holdGroupQueue(rt *rapid.T) func() {
	var entered sync.Once
	in, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- env.db.UpdateLocked(env.ctx, func(*store.Tx) error {
			entered.Do(func() { close(in) })
			<-release
			return nil
		})
	}()
	<-in
	return func() {
		close(release)
		if err := <-done; err != nil {
			rt.Fatalf("holding the group queue: %v", err)
		}
	}
}

// primeSets starts a reservation and a shipment that are refused (of no
// order, of no export), so that, as the service runs concurrent calls in
// sets (the first call of a quiet service alone), the burst's reservations
// and shipments that follow queue up behind them and run together. The
// returned function waits for them and checks their refusals.
func (env *propEnv) primeSets(rt *rapid.T) func() {
	var wg sync.WaitGroup
	var reserveErr, shipErr error
	wg.Go(func() {
		_, reserveErr = env.svc.Reserve(env.ctx, shipping.ReserveRequest{OrderID: propNoneID, Units: tollgate.Units{Lot: propLot, Count: 1}})
	})
	wg.Go(func() { _, shipErr = env.svc.Ship(env.ctx, propNoneID, "AES-NONE", env.clock.Now()) })
	time.Sleep(time.Millisecond)
	return func() {
		wg.Wait()
		if tollgate.ErrorCode(reserveErr) != tollgate.EINVALID || tollgate.ErrorCode(shipErr) != tollgate.ENOTFOUND {
			rt.Fatalf("a reservation of no order: %v (want invalid); a shipment of no export: %v (want not found)", reserveErr, shipErr)
		}
	}
}

// drawReserve draws a reservation on one of the orders: a few serials from
// everything the world knows (and some it never imported), or a count of
// the lot or of a lot never imported.
func (env *propEnv) drawReserve(rt *rapid.T, m *propModel, label string) propOp {
	op := propOp{kind: opReserve, orderID: rapid.SampledFrom(env.orders).Draw(rt, label+"-order")}
	switch k := rapid.IntRange(0, 9).Draw(rt, label+"-units"); {
	case k < 7:
		// Mostly serials that may ship: free ones, any of them, or
		// any serial the world knows.
		from := env.pool
		switch free := m.free(env, env.now()); {
		case k < 3 && len(free) > 0:
			from = free
		case k < 5:
			from = env.okSerials
		}
		idx := rapid.SliceOfNDistinct(rapid.IntRange(0, len(from)-1), 1, 3, rapid.ID[int]).Draw(rt, label+"-serials")
		for _, i := range idx {
			op.units.Serials = append(op.units.Serials, from[i])
		}
		op.units.Count = int64(len(op.units.Serials))
	case k < 8:
		// Serials another export holds or held, with a fresh one.
		var taken []string
		for _, e := range m.exports {
			taken = append(taken, e.units.Serials...)
		}
		if len(taken) == 0 {
			taken = env.pool
		}
		op.units.Serials = []string{rapid.SampledFrom(taken).Draw(rt, label+"-taken")}
		if s := rapid.SampledFrom(env.pool).Draw(rt, label+"-plus"); s != op.units.Serials[0] {
			op.units.Serials = append(op.units.Serials, s)
		}
		op.units.Count = int64(len(op.units.Serials))
	default:
		op.units.Lot = rapid.SampledFrom([]string{propLot, propNoLot}).Draw(rt, label+"-lot")
		op.units.Count = rapid.Int64Range(1, 4).Draw(rt, label+"-count")
	}
	env.review(rt, op.units)
	return op
}

// review has the lab review exactly units, just before they are reserved,
// when they may ship: every shipment is reviewed, and a review covers only
// the units it names, so the world's reviews of all its good units cover
// no reservation of a few of them. Units that may not ship (untested,
// failed, bound, never imported) get no review, as in the world, and the
// model's verdicts stay those of a world where every good unit is tested.
// The review's audit record is not the operation's: it is read past.
func (env *propEnv) review(rt *rapid.T, units tollgate.Units) {
	if units.BySerial() {
		for _, s := range units.Serials {
			if env.kind[s] != unitOK {
				return
			}
		}
	} else if units.Lot != propLot || units.Count > env.lotQty {
		return
	}
	r, err := env.w.SignedReport(env.ref("LAB-REVIEW"), units, 1975)
	if err != nil {
		rt.Fatal(err)
	}
	r.TestedAt = env.now().Add(-time.Second).Truncate(time.Second)
	if r.Signature, err = shipping.SignReport(env.w.Priv, r); err != nil {
		rt.Fatal(err)
	}
	if _, err := env.svc.RecordLabReport(env.ctx, r); err != nil {
		rt.Fatalf("review %s: %v", unitsString(units), err)
	}
	env.audited(rt)
}

// drawExportOp draws a ship or a void of an open reservation, of any
// export, or of none.
func (env *propEnv) drawExportOp(rt *rapid.T, m *propModel, kind opKind, label string) propOp {
	op := propOp{kind: kind, exportID: propNoneID}
	var open []string
	for _, e := range m.exports {
		if e.state == tollgate.ExportReserved && env.now().Before(e.expires) {
			open = append(open, e.id)
		}
	}
	switch k := rapid.IntRange(0, 9).Draw(rt, label+"-export"); {
	case k < 6 && len(open) > 0:
		op.exportID = rapid.SampledFrom(open).Draw(rt, label+"-open")
	case k < 9 && len(m.exports) > 0:
		op.exportID = m.exports[rapid.IntRange(0, len(m.exports)-1).Draw(rt, label+"-any")].id
	}
	return op
}

func (env *propEnv) drawUSShipment(rt *rapid.T, label string) propOp {
	return propOp{kind: opUSShipment, usUnits: rapid.Int64Range(1, 10).Draw(rt, label+"-us-units"), usRef: env.ref("INV-PROP")}
}

// drawReversal draws a reversal of some units, or of all that is left, of
// a US shipment, of a reversal, or of none.
func (env *propEnv) drawReversal(rt *rapid.T, m *propModel, label string) propOp {
	op := propOp{kind: opReversal, usID: propNoneID, usUnits: rapid.Int64Range(0, 8).Draw(rt, label+"-reverse-units")}
	if len(m.us) > 0 && rapid.IntRange(0, 9).Draw(rt, label+"-us") > 0 {
		op.usID = m.us[rapid.IntRange(0, len(m.us)-1).Draw(rt, label+"-us-index")].id
	}
	return op
}
