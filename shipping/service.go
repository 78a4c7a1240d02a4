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

// product returns the identity of the product name names: the product key
// of the model of its specification, so that "H200", "h200" and "H200
// SXM5" are one product (the catalog's "H200 SXM") in every cap, license
// and order. An unknown product is refused: EINVALID on field, or
// ENOTFOUND when field is empty (a lookup rather than a record).
func (s *Service) product(name, field string) (string, error) {
	c, err := s.specs(name)
	switch {
	case err == nil:
		return tollgate.ProductKey(c.Model), nil
	case tollgate.ErrorCode(err) != tollgate.ENOTFOUND:
		return "", err
	case field == "":
		return "", tollgate.Errorf(tollgate.ENOTFOUND, "product %q not found: %s", name, tollgate.ErrorMessage(err))
	}
	return "", tollgate.FieldErrorf(field, "unknown product %q: caps, licenses and orders count catalog products (%s)", name, tollgate.ErrorMessage(err))
}

// identify replaces *name, when not blank, by its product identity
// (product), refusing an unknown product as EINVALID on "product"; a blank
// name is left for the record's Validate to refuse.
func (s *Service) identify(name *string) error {
	if tollgate.ProductKey(*name) == "" {
		*name = ""
		return nil
	}
	id, err := s.product(*name, "product")
	*name = id
	return err
}

// filterProduct returns the identity of a product filter, or the filter as
// given when it names no known product (it then matches what was stored
// under that name, if anything).
func (s *Service) filterProduct(name string) string {
	if id, err := s.product(name, ""); err == nil && name != "" {
		return id
	}
	return tollgate.ProductKey(name)
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
