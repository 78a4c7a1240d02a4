package shipping

import (
	"context"
	"sync"

	"tollgate/store"
)

// gates queue, within this process, the use cases that take the locks of
// the same exporter's product (reservations, shipments, voids, expiries)
// on PostgreSQL. They would queue on the database's row locks anyway;
// queueing here first keeps the waiting callers from holding database
// connections and competing for CPU with the transaction that holds the
// locks, which on a small machine is what makes a hot license slow. The
// database's locks stay what guarantees the invariants, across processes
// and replicas. SQLite has one writer per process already, and there the
// callers' reads before their locks are better left to overlap with it.
type gates struct {
	mu   sync.Mutex
	keys map[[2]string]*sync.Mutex
	// products caches the exporter and product of orders and exports,
	// which never change; it is emptied when it reaches maxCachedIDs.
	products map[string][2]string
}

// maxCachedIDs bounds the ids whose exporter and product gates remembers.
const maxCachedIDs = 1 << 16

// product returns the cached exporter and product of id.
func (g *gates) product(id string) ([2]string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.products[id]
	return p, ok
}

// remember caches the exporter and product of id.
func (g *gates) remember(id, exporter, product string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.products == nil || len(g.products) >= maxCachedIDs {
		g.products = make(map[string][2]string)
	}
	g.products[id] = [2]string{exporter, product}
}

// enter waits for the gate of exporter's product and returns its release.
func (g *gates) enter(exporter, product string) func() {
	k := [2]string{exporter, product}
	g.mu.Lock()
	if g.keys == nil {
		g.keys = map[[2]string]*sync.Mutex{}
	}
	m := g.keys[k]
	if m == nil {
		m = &sync.Mutex{}
		g.keys[k] = m
	}
	g.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// orderGate enters the gate of order id's exporter and product. An order
// that cannot be read enters no gate: the use case fails on its own.
func (s *Service) orderGate(ctx context.Context, id string) func() {
	return s.gateOf(ctx, id, func(tx *store.Tx) (string, string, error) {
		exporter, product, _, err := tx.OrderKey(ctx, id)
		return exporter, product, err
	})
}

// exportGate enters the gate of export id's exporter and product.
func (s *Service) exportGate(ctx context.Context, id string) func() {
	return s.gateOf(ctx, id, func(tx *store.Tx) (string, string, error) {
		_, exporter, product, _, err := tx.ExportKey(ctx, id)
		return exporter, product, err
	})
}

func (s *Service) gateOf(ctx context.Context, id string, key func(tx *store.Tx) (string, string, error)) func() {
	if s.db.Dialect() != "postgres" || s.db.InRequestTransaction(ctx) {
		// In a request's transaction this caller already holds the lock
		// that every audited change queues on: a gate would add nothing,
		// and could deadlock with a job that holds it while queueing.
		return func() {}
	}
	if p, ok := s.gates.product(id); ok {
		return s.gates.enter(p[0], p[1])
	}
	var exporter, product string
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		exporter, product, err = key(tx)
		return err
	})
	if err != nil {
		return func() {}
	}
	s.gates.remember(id, exporter, product)
	return s.gates.enter(exporter, product)
}
