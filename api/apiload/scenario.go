package apiload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"tollgate"
	"tollgate/api"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/screening"
	"tollgate/store"
)

// Setup is what a Scenario is built from.
type Setup struct {
	// Store is the store to serve; the scenario imports lists and creates
	// parties in it, so use a scratch database.
	Store *store.DB
	// Lists are imported before the server starts; an import whose digest
	// is already stored is a no-op.
	Lists []*tollgate.ListImport
	// Parties is how many parties to create for the GET benchmark.
	Parties int
	// Seed makes the generated names reproducible.
	Seed uint64
}

// Scenario is a server on a loopback port over a store holding lists and
// parties, with a pool of names to screen, and the API token of an
// exporter's officer who owns the parties: every request authenticates, as
// in production.
type Scenario struct {
	BaseURL  string
	PartyIDs []string
	// Token is the officer's API token (its secret).
	Token string
	// Names is the pool screening batches draw from: a few listed names as
	// listed, a few misspelled, and mostly ordinary names that match
	// nothing, as real screening traffic is.
	Names []screening.NameQuery
	// IndexBuild is how long building the screening index took.
	IndexBuild time.Duration

	srv *http.Server
}

// Start imports the lists, creates the parties, builds the screening index
// and starts the API on 127.0.0.1 with a random port. Request logs are
// formatted as in production but discarded.
func Start(ctx context.Context, s Setup) (*Scenario, error) {
	if s.Parties < 1 || len(s.Lists) == 0 {
		return nil, fmt.Errorf("apiload.Start: need at least one list and one party")
	}
	var entities []tollgate.Entity
	for _, li := range s.Lists {
		if _, _, err := s.Store.ImportListVersion(ctx, li); err != nil {
			return nil, fmt.Errorf("apiload.Start: import %s: %w", li.Source, err)
		}
		entities = append(entities, li.Entities...)
	}
	sc := &Scenario{}
	org, err := sc.createParties(ctx, s.Store, s.Parties)
	if err != nil {
		return nil, err
	}
	if sc.Token, err = createOfficer(ctx, s.Store, org); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	svc := screening.New(s.Store, log, screening.DefaultConfig())
	snap, err := svc.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("apiload.Start: %w", err)
	}
	sc.IndexBuild = snap.BuildTime
	sc.Names = namePool(entities, 5000, s.Seed)
	authn := &auth.Authenticator{
		Users: s.Store, Orgs: s.Store, Now: time.Now,
		Sessions: auth.DefaultSessionConfig(), Passwords: auth.DefaultPasswordParams(),
		Limiter:            auth.NewLoginLimiter(auth.DefaultLoginLimitConfig(), time.Now),
		TokenTouchInterval: time.Minute,
	}
	handler := api.NewServer(api.Deps{
		Store: s.Store, Screening: svc, Catalog: catalog.Default(), Rules: classify.Default(),
		Auth: authn, Logger: log,
	})
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("apiload.Start: %w", err)
	}
	sc.srv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go sc.srv.Serve(ln)
	sc.BaseURL = "http://" + ln.Addr().String()
	return sc, nil
}

// Close stops the server.
func (sc *Scenario) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sc.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// createOfficer stores an officer of org and an API token for it, and
// returns the token's secret.
func createOfficer(ctx context.Context, st *store.DB, org *tollgate.Org) (string, error) {
	u := &tollgate.User{OrgID: org.ID, Email: "officer-" + org.ID + "@load.example", Name: "Load Test Officer",
		Roles: []tollgate.Role{tollgate.RoleExporterOfficer}}
	if err := st.CreateUser(ctx, u); err != nil {
		return "", fmt.Errorf("apiload: create user: %w", err)
	}
	secret, tok, err := auth.IssueToken(auth.DefaultTokenConfig(), nil, u, "load test", 0, time.Now())
	if err == nil {
		err = st.CreateToken(ctx, tok)
	}
	if err != nil {
		return "", fmt.Errorf("apiload: create token: %w", err)
	}
	return secret.Reveal(), nil
}

// createParties stores n parties of one exporter, directly through the
// store: setup is not what is measured.
func (sc *Scenario) createParties(ctx context.Context, st *store.DB, n int) (*tollgate.Org, error) {
	org := &tollgate.Org{Kind: tollgate.OrgExporter, Name: "Load Test Exporter", Country: "US"}
	if err := st.CreateOrg(ctx, org); err != nil {
		return nil, fmt.Errorf("apiload: create org: %w", err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		p := &tollgate.Party{
			OrgID: org.ID, Role: tollgate.RoleEndUser, Type: tollgate.EntityOrganization,
			LegalName: fmt.Sprintf("%s %d", companyName(r), i), Country: "SG",
			Addresses: []tollgate.Address{{Street: "1 Harbour Front", City: "Singapore", Country: "SG"}},
		}
		if err := st.CreateParty(ctx, p); err != nil {
			return nil, fmt.Errorf("apiload: create party: %w", err)
		}
		sc.PartyIDs = append(sc.PartyIDs, p.ID)
	}
	return org, nil
}

// Warm runs every distinct screening batch once and reads every party
// once, so measured runs see warm caches (the entity digests of hits, the
// engine's scratch buffers, SQLite's page cache), as a server does after
// its first minute.
func (sc *Scenario) Warm(ctx context.Context, client *http.Client, batch int) error {
	for _, l := range []Load{sc.ScreenLoad(batch, screenBodies, 2), sc.GetPartyLoad(len(sc.PartyIDs), 2)} {
		if r := Run(ctx, client, l); r.Errors > 0 {
			return fmt.Errorf("apiload: warm-up %s: %s", l.Name, r.FirstError)
		}
	}
	return nil
}

// screenBodies is how many distinct request bodies a screening load cycles
// through.
const screenBodies = 64

// ScreenLoad returns a load of POST /v1/screen calls of batch names each.
func (sc *Scenario) ScreenLoad(batch, requests, concurrency int) Load {
	bodies := make([][]byte, screenBodies)
	for i := range bodies {
		names := make([]screening.NameQuery, batch)
		for j := range names {
			names[j] = sc.Names[(i*batch+j)%len(sc.Names)]
		}
		bodies[i], _ = json.Marshal(api.ScreenRequest{Names: names})
	}
	return Load{
		Name: fmt.Sprintf("screen/%d", batch), BaseURL: sc.BaseURL, Concurrency: concurrency, Requests: requests,
		WantStatus: http.StatusOK, Token: sc.Token,
		Next: func(i int) Call {
			return Call{Method: http.MethodPost, Path: "/v1/screen", Body: bodies[i%len(bodies)], Items: batch}
		},
	}
}

// GetPartyLoad returns a load of GET /v1/parties/{id} calls over the
// scenario's parties.
func (sc *Scenario) GetPartyLoad(requests, concurrency int) Load {
	return Load{
		Name: "get-party", BaseURL: sc.BaseURL, Concurrency: concurrency, Requests: requests,
		WantStatus: http.StatusOK, Token: sc.Token,
		Next: func(i int) Call {
			return Call{Method: http.MethodGet, Path: "/v1/parties/" + sc.PartyIDs[(i*7919)%len(sc.PartyIDs)], Items: 1}
		},
	}
}
