package shipping

import (
	"context"
	"errors"
	"fmt"

	"tollgate"
	"tollgate/classify"
	"tollgate/internal/batch"
	"tollgate/store"
)

// Service runs the shipping use cases against the store: each is one
// transaction in which the facts are read (under the locks that serialise
// it with every other use case touching the same limits), the pure rules of
// this package decide, the rows are written and the change is audited, or
// nothing happens at all. The caller is the principal in the context
// (tollgate.WithPrincipal); whether it may act on the object is the API's
// question, asked before the Service is called.
type Service struct {
	db    *store.DB
	rules *classify.Rulebook
	specs SpecSource
	cfg   Config

	sets   *batch.Batcher[setCall, *setRun]  // Reserve's sets, read (service_batch.go)
	writes *batch.Batcher[*setRun, struct{}] // the sets read and the shipments, written together
}

// SpecSource returns the specification of a product (a ProductKey, or the
// model or spec reference an application item names): its TPP and DRAM
// bandwidth decide the Section 232 band, and a lab report is judged
// against it. An unknown product is ENOTFOUND.
type SpecSource func(product string) (tollgate.Chip, error)

// NewService returns the Service over db with the rules' classification,
// the product specifications and the shipping settings. A nil argument or
// an invalid config is an error: that is a wiring bug.
func NewService(db *store.DB, rules *classify.Rulebook, specs SpecSource, cfg Config) (*Service, error) {
	switch {
	case db == nil || rules == nil || specs == nil:
		return nil, errors.New("shipping.NewService: nil store, rulebook or spec source")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("shipping.NewService: %w", err)
	}
	s := &Service{db: db, rules: rules, specs: specs, cfg: cfg}
	s.sets, s.writes = newSetBatcher(s), newWriteBatcher(s)
	return s, nil
}

// Config returns the service's shipping settings.
func (s *Service) Config() Config { return s.cfg }

// actor returns the user id the caller acts as: the principal's, or the
// system's for background work.
func actor(ctx context.Context) string {
	if p := tollgate.PrincipalFrom(ctx); p != nil && p.UserID != "" {
		return p.UserID
	}
	return tollgate.SystemUserID
}

// wrap prefixes err with the use case's name.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("shipping.%s: %w", op, err)
}

// spec returns the specification of product, as EPRECONDITION when it is
// unknown: a product nobody can classify cannot be assessed or judged.
func (s *Service) spec(product string) (tollgate.Chip, error) {
	c, err := s.specs(product)
	if err != nil {
		if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
			return tollgate.Chip{}, tollgate.Errorf(tollgate.EPRECONDITION, "no specification of product %s: %s", product, tollgate.ErrorMessage(err))
		}
		return tollgate.Chip{}, err
	}
	return c, nil
}
