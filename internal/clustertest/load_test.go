package clustertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tollgate"
	"tollgate/api"
)

// pool is the set of replica addresses clients spread their calls over; a
// slot is "" while its replica is down.
type pool struct {
	mu    sync.Mutex
	addrs []string
}

func newPool(rs ...*replica) *pool {
	p := &pool{}
	for _, r := range rs {
		p.addrs = append(p.addrs, r.addr)
	}
	return p
}

// pick returns the address of slot i (mod the pool's size), or "" when that
// replica is down.
func (p *pool) pick(i int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addrs[i%len(p.addrs)]
}

// set changes slot i's address ("" takes it out of rotation).
func (p *pool) set(i int, addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addrs[i] = addr
}

// op kinds of the load.
const (
	opCreateParty = "create-party"
	opScreenParty = "screen-party"
	opGetParty    = "get-party"
)

// op is one call of the load and what became of it.
type op struct {
	kind    string
	method  string
	path    string
	body    []byte
	key     string // Idempotency-Key; "" for a GET
	name    string // legal name of a created party
	partyID string // party screened or read
	token   string // API token, when not the client's

	status   int    // status of the final answer; 0 when none came
	id       string // id in the answer: the party's or the screening's
	acked    bool   // a 2xx answer came back
	refused  bool   // a reservation was refused for a limit (a final answer)
	attempts int    // requests sent, retries included
	failure  string // why the op ended without a 2xx answer
	retried  string // why the op was last retried
	latency  time.Duration
}

// newKey returns a fresh Idempotency-Key.
func newKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "ct-" + hex.EncodeToString(b)
}

// createPartyOp returns an op creating a party named name in org.
func createPartyOp(org, name string) *op {
	body, _ := json.Marshal(api.PartyInput{OrgID: org, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization, LegalName: name,
		Country: "SG"})
	return &op{kind: opCreateParty, method: http.MethodPost, path: "/v1/parties", body: body, key: newKey(), name: name}
}

// screenPartyOp returns an op screening party id.
func screenPartyOp(id string) *op {
	return &op{kind: opScreenParty, method: http.MethodPost, path: "/v1/parties/" + id + "/screen",
		body: []byte("{}"), key: newKey(), partyID: id}
}

// getPartyOp returns an op reading party id.
func getPartyOp(id string) *op {
	return &op{kind: opGetParty, method: http.MethodGet, path: "/v1/parties/" + id, partyID: id}
}

// client sends ops to a pool, retrying a call that got no answer or a 5xx
// with the same Idempotency-Key until retryFor has passed, and one that got
// a 409 for its key still in progress (on another replica, or on one that
// died) for conflictFor.
type client struct {
	http        *http.Client
	pool        *pool
	token       string
	retryFor    time.Duration
	conflictFor time.Duration
}

// answer is one response.
type answer struct {
	status   int
	body     []byte
	replayed bool
}

// send makes one request of o to addr.
func (c *client) send(ctx context.Context, addr string, o *op) (answer, error) {
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, o.method, "http://"+addr+o.path, body)
	if err != nil {
		return answer{}, err
	}
	token := c.token
	if o.token != "" {
		token = o.token
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if o.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.key != "" {
		req.Header.Set(api.IdempotencyKeyHeader, o.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, body: b, replayed: resp.Header.Get(api.ReplayedHeader) == "true"}, nil
}

// retryable reports whether an answer may change on a retry.
func retryable(a answer) bool {
	switch {
	case a.status >= 500:
		return true
	case a.status == http.StatusConflict:
		return bytes.Contains(a.body, []byte("in progress"))
	case a.status == http.StatusTooManyRequests:
		return true
	}
	return false
}

// do runs o, starting with replica slot, until it gets a final answer or
// retryFor passes.
func (c *client) do(ctx context.Context, slot int, o *op) {
	start := time.Now()
	defer func() { o.latency = time.Since(start) }()
	var conflictSince time.Time
	for i := slot; ; i++ {
		stuck := !conflictSince.IsZero() && time.Since(conflictSince) > c.conflictFor
		if stuck || time.Since(start) > c.retryFor || ctx.Err() != nil {
			if o.failure == "" {
				o.failure = "gave up"
			}
			return
		}
		addr := c.pool.pick(i)
		if addr == "" {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		o.attempts++
		a, err := c.send(ctx, addr, o)
		if err != nil {
			o.failure = err.Error()
			o.retried = o.failure
			time.Sleep(20 * time.Millisecond)
			continue
		}
		o.status = a.status
		if a.status != http.StatusConflict {
			conflictSince = time.Time{}
		} else if conflictSince.IsZero() {
			conflictSince = time.Now()
		}
		if retryable(a) {
			o.failure = fmt.Sprintf("status %d: %.200s", a.status, a.body)
			o.retried = o.failure
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if o.kind == opReserve && refusedForLimit(a.status, a.body) {
			o.refused, o.failure = true, ""
			return
		}
		if a.status/100 != 2 {
			o.failure = fmt.Sprintf("status %d: %.200s", a.status, a.body)
			return
		}
		id, err := answerID(o.kind, a.body)
		if err != nil {
			o.failure = err.Error()
			return
		}
		o.id, o.acked, o.failure = id, true, ""
		return
	}
}

// answerID returns the id a 2xx answer of an op of kind names.
func answerID(kind string, body []byte) (string, error) {
	var v struct {
		ID        string `json:"id"`
		Screening struct {
			ID string `json:"id"`
		} `json:"screening"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("decode %s answer: %v", kind, err)
	}
	id := v.ID
	if kind == opScreenParty {
		id = v.Screening.ID
	}
	if id == "" {
		return "", fmt.Errorf("%s answer without an id: %.200s", kind, body)
	}
	return id, nil
}

// mix makes the ops of a bounded load: per mille shares of party creation
// and screening, the rest party reads, over the given parties.
type mix struct {
	org             string
	parties         []string
	createPerMille  int
	screenPerMille  int
	clients, perCli int
}

// ops returns the load's ops, clients × perCli of them, client c's at
// [c*perCli, (c+1)*perCli).
func (m mix) ops(run string) []*op {
	ops := make([]*op, 0, m.clients*m.perCli)
	for c := range m.clients {
		for i := range m.perCli {
			r := (c*7919 + i*104729) % 1000
			p := m.parties[(c*31+i*17)%len(m.parties)]
			switch {
			case r < m.createPerMille:
				ops = append(ops, createPartyOp(m.org, fmt.Sprintf("Load %s Party c%d-%d", run, c, i)))
			case r < m.createPerMille+m.screenPerMille:
				ops = append(ops, screenPartyOp(p))
			default:
				ops = append(ops, getPartyOp(p))
			}
		}
	}
	return ops
}

// runLoad runs ops with m.clients concurrent clients, each taking its own
// slice of ops in order and starting on its own replica slot; progress
// counts finished ops.
func runLoad(ctx context.Context, c *client, ops []*op, clients int, progress *atomic.Int64) time.Duration {
	per := len(ops) / clients
	start := time.Now()
	var wg sync.WaitGroup
	for k := range clients {
		wg.Go(func() {
			for _, o := range ops[k*per : (k+1)*per] {
				c.do(ctx, k, o)
				if progress != nil {
					progress.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// percentiles returns the p50 and p99 of the ops' latencies.
func percentiles(ops []*op) (p50, p99 time.Duration) {
	lat := make([]time.Duration, 0, len(ops))
	for _, o := range ops {
		lat = append(lat, o.latency)
	}
	if len(lat) == 0 {
		return 0, 0
	}
	slices.Sort(lat)
	return lat[len(lat)*50/100], lat[min(len(lat)-1, len(lat)*99/100)]
}

// summary counts the ops by outcome, for logs.
func summary(ops []*op) string {
	var acked, refused, retried, failed int
	for _, o := range ops {
		switch {
		case o.acked:
			acked++
		case o.refused:
			refused++
		default:
			failed++
		}
		if o.attempts > 1 {
			retried++
		}
	}
	return fmt.Sprintf("%d ops: %d acknowledged, %d refused for a limit, %d retried, %d without an answer",
		len(ops), acked, refused, retried, failed)
}

// newHTTPClient returns a loopback client with enough idle connections for
// the load's clients.
func newHTTPClient(clients int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = clients
	return &http.Client{Transport: tr}
}

// failures lists the ops that ended without a 2xx answer.
func failures(ops []*op) string {
	var b strings.Builder
	for _, o := range ops {
		if !o.acked && !o.refused {
			fmt.Fprintf(&b, "\n  %s %s (key %s, %d attempts): %s", o.method, o.path, o.key, o.attempts, o.failure)
		}
	}
	return b.String()
}
