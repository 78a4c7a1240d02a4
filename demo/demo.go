// Package demo plays the H200 story of regime.md §1 and §7 — December 2025
// to March 2026 — through tollgate's own services, on an empty store: the
// cast (an exporter, the licensing agency and the three referral agencies,
// a US test lab with its signing key, a customs broker, an auditor) with
// their users; the H200 classified and compared with the H20; Chinese
// customers screened, two of them blocked; US shipments; three license
// applications filed, referred, recommended and decided; Taiwan-made chips
// imported under the 25% duty, tested, reserved and shipped under the 50%
// cap; China's customs block and approvals; the revenue report; and an
// audit checkpoint, exported as a bundle and verified.
//
// Every step goes through a service (screening, licensing, shipping, the
// store's own services, the audit log), acting as the user whose part it
// is and checked against package auth's policy, with the time of an
// injected Clock that the story sets step by step. Nothing is written
// around the services, and every figure Run returns is read back from them.
//
// One deliberate departure from tollgate's default rules: the demo applies
// the H200 rule's case-by-case policy from the President's announcement of
// 8 Dec 2025 rather than from the rule's effective date (15 Jan 2026), as
// BIS did in practice when it referred the first applications on 19 Dec
// 2025 (regime.md §1, §4). The rule's ID and citation say so in every
// classification made under it.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"tollgate"
	"tollgate/auditlog"
	"tollgate/store"
)

// Clock is the demo's injected clock: the store and the services read it,
// the story moves it forward step by step. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

// Options is what Run needs. DB, Clock, AuditKey and BundleDir are
// required.
type Options struct {
	// DB is the store, opened with Clock.Now as its clock. It must be empty
	// (CheckEmpty).
	DB *store.DB
	// Clock is the store's clock; Run sets it for every step.
	Clock *Clock
	// Lists are real restricted-party list files or directories (a CSL
	// CSV, an OFAC directory, the UN XML), imported as list versions before
	// the story starts. Without any, screening runs on the internal list
	// alone, which then also lists the Huawei affiliate by hand.
	Lists []string
	// AuditKey signs the audit checkpoint the story ends with.
	AuditKey *auditlog.Key
	// BundleDir is where the audit bundle is exported; it must not hold a
	// bundle already.
	BundleDir string
	// Build describes the program playing the story; the bundle carries it
	// (auditlog.BuildFile).
	Build tollgate.Build
	// Now is the real time, at which the login tokens are issued once the
	// story is over (they must work on the server that follows). nil means
	// time.Now.
	Now func() time.Time
	// Log receives the services' logs; nil discards them.
	Log *slog.Logger
	// Narrate, when set, receives each event of the story as it happens.
	Narrate func(Event)
	// Rand is the source of the tokens' secrets and of the lab's key; nil
	// means crypto/rand.
	Rand io.Reader
}

// Event is one line of the story: when it happened (story time), which
// act it belongs to, and what happened.
type Event struct {
	At   time.Time `json:"at"`
	Act  string    `json:"act"`
	Text string    `json:"text"`
}

// Result is what Run returns: the story as it was told and the figures
// read back from the services at the end.
type Result struct {
	Events  []Event `json:"events"`
	Figures Figures `json:"figures"`
}

// Run plays the whole story on opts.DB and returns its events and figures.
// It refuses a store that is not empty (ECONFLICT) and stops at the first
// step that fails, with an error naming the step; the store then holds the
// story up to that step.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("demo.Run: %w", err)
	}
	if err := CheckEmpty(ctx, opts.DB); err != nil {
		return nil, fmt.Errorf("demo.Run: %w", err)
	}
	p, err := newPlay(opts)
	if err != nil {
		return nil, fmt.Errorf("demo.Run: %w", err)
	}
	acts := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"cast", p.castAct},
		{"classify", p.classifyAct},
		{"screen", p.screenAct},
		{"apply", p.applyAct},
		{"review", p.reviewAct},
		{"import", p.importAct},
		{"license", p.licenseAct},
		{"ship", p.shipAct},
		{"report", p.reportAct},
		{"logins", p.loginAct},
	}
	for _, a := range acts {
		if err := a.fn(ctx); err != nil {
			return nil, fmt.Errorf("demo.Run: act %s, %s: %w", a.name, p.clock.Now().Format("2006-01-02 15:04"), err)
		}
	}
	return &p.res, nil
}

func (o *Options) validate() error {
	switch {
	case o.DB == nil:
		return errors.New("nil DB")
	case o.Clock == nil:
		return errors.New("nil Clock")
	case o.AuditKey == nil:
		return errors.New("nil AuditKey")
	case o.BundleDir == "":
		return errors.New("no BundleDir")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return nil
}

// CheckEmpty returns nil when db holds no organization, user or list
// version, and otherwise an ECONFLICT error saying what it holds — in
// particular when it holds a previous run of the demo (Previous).
func CheckEmpty(ctx context.Context, db *store.DB) error {
	orgs, _, err := db.FindOrgs(ctx, tollgate.OrgFilter{Limit: tollgate.MaxPageLimit})
	if err != nil {
		return fmt.Errorf("demo.CheckEmpty: %w", err)
	}
	users, _, err := db.FindUsers(ctx, tollgate.UserFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo.CheckEmpty: %w", err)
	}
	versions, err := db.CurrentListVersions(ctx)
	if err != nil {
		return fmt.Errorf("demo.CheckEmpty: %w", err)
	}
	switch {
	case isDemoCast(orgs):
		return tollgate.Errorf(tollgate.ECONFLICT, "the store already holds a run of the demo: play it again on a new, empty store "+
			"(tollgate demo replays the default store, tollgate.db in the data directory, by itself)")
	case len(orgs) > 0 || len(users) > 0 || len(versions) > 0:
		return tollgate.Errorf(tollgate.ECONFLICT, "the store is not empty (%d organizations, %d list versions): the demo plays only on an empty store, never over real data",
			len(orgs), len(versions))
	}
	return nil
}

// Previous reports whether db holds a previous run of the demo, finished
// or not (the demo's operator organization), and nothing but the cast's
// organizations: a store where someone added an organization of their own
// after the demo is not the demo's alone, and is never replaced.
func Previous(ctx context.Context, db *store.DB) (bool, error) {
	orgs, _, err := db.FindOrgs(ctx, tollgate.OrgFilter{Limit: tollgate.MaxPageLimit})
	if err != nil {
		return false, fmt.Errorf("demo.Previous: %w", err)
	}
	if !isDemoCast(orgs) {
		return false, nil
	}
	cast := map[orgSpec]bool{operatorOrg: true}
	for _, o := range castOrgs {
		cast[orgSpec{o.Kind, o.Name, o.Country, ""}] = true
	}
	for _, o := range orgs {
		if !cast[orgSpec{o.Kind, o.Name, o.Country, ""}] {
			return false, tollgate.Errorf(tollgate.ECONFLICT, "it holds a run of the demo and an organization of its own (%s)", o.Name)
		}
	}
	return true, nil
}

func isDemoCast(orgs []*tollgate.Org) bool {
	for _, o := range orgs {
		if o.Kind == tollgate.OrgOperator && o.Name == operatorOrg.Name {
			return true
		}
	}
	return false
}
