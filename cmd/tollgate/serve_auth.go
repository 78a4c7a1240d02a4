package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"tollgate"
	"tollgate/api"
	"tollgate/auth"
	"tollgate/store"
)

// Defaults of serve's access flags.
const (
	defaultAdminEmail = "admin@localhost"
	operatorOrgName   = "tollgate operator"
	bootstrapTokenFor = "first system administrator (tollgate serve)"
)

// serveAuth are serve's flags for signing in and API tokens.
type serveAuth struct {
	adminEmail     string
	secureCookies  bool
	trustedOrigins []string
	trustedProxies []string
	proxies        []netip.Prefix // trustedProxies, parsed
	tokenTTL       time.Duration
}

// addFlags registers the flags on f.
func (a *serveAuth) addFlags(f *pflag.FlagSet) {
	f.StringVar(&a.adminEmail, "admin-email", defaultAdminEmail,
		"email of the system administrator made on an empty store (env TOLLGATE_ADMIN_EMAIL)")
	f.BoolVar(&a.secureCookies, "secure-cookies", false,
		"the dashboard is reached over HTTPS (directly or through a proxy): session cookies are Secure and __Host- (env TOLLGATE_SECURE_COOKIES)")
	f.StringSliceVar(&a.trustedOrigins, "trusted-origin", nil,
		"an origin (https://host[:port]) allowed to send state-changing requests with a session cookie; repeatable (env TOLLGATE_TRUSTED_ORIGINS, comma-separated)")
	f.StringSliceVar(&a.trustedProxies, "trusted-proxies", nil,
		"CIDR prefixes or addresses of the reverse proxies whose X-Forwarded-For names the client, for sign-in limits and logs; comma-separated (env TOLLGATE_TRUSTED_PROXIES)")
	f.DurationVar(&a.tokenTTL, "token-ttl", auth.DefaultTokenConfig().DefaultTTL,
		"lifetime of API tokens created without one (env TOLLGATE_TOKEN_TTL)")
}

// resolve takes each flag not given on the command line from its
// TOLLGATE_* variable, if set, and checks the values; a bad value is a
// usage error naming the flag or variable.
func (a *serveAuth) resolve(f *pflag.FlagSet, getenv func(string) string) error {
	from := func(flag, env string) (string, string) {
		if f.Changed(flag) {
			return "", "--" + flag
		}
		return getenv(env), env
	}
	var err error
	if v, _ := from("admin-email", "TOLLGATE_ADMIN_EMAIL"); v != "" {
		a.adminEmail = v
	}
	a.adminEmail = tollgate.NormalizeEmail(a.adminEmail)
	if err := tollgate.ValidateEmail(a.adminEmail); err != nil {
		return usageErrorf("--admin-email: %s", tollgate.ErrorMessage(err))
	}
	if v, name := from("secure-cookies", "TOLLGATE_SECURE_COOKIES"); v != "" {
		if a.secureCookies, err = strconv.ParseBool(v); err != nil {
			return usageErrorf("%s: want true or false, not %q", name, v)
		}
	}
	if v, _ := from("trusted-origin", "TOLLGATE_TRUSTED_ORIGINS"); v != "" {
		a.trustedOrigins = strings.Split(v, ",")
	}
	if err := (api.Access{TrustedOrigins: a.trustedOrigins}).Validate(); err != nil {
		return usageErrorf("--trusted-origin: %s", tollgate.ErrorMessage(err))
	}
	v, name := from("trusted-proxies", "TOLLGATE_TRUSTED_PROXIES")
	if v != "" {
		a.trustedProxies = strings.Split(v, ",")
	}
	if a.proxies, err = auth.ParseTrustedProxies(a.trustedProxies); err != nil {
		return usageErrorf("%s: %v", name, err)
	}
	v, name = from("token-ttl", "TOLLGATE_TOKEN_TTL")
	if v != "" {
		if a.tokenTTL, err = time.ParseDuration(v); err != nil {
			return usageErrorf("%s: want a duration such as 2160h, not %q", name, v)
		}
	}
	if max := auth.DefaultTokenConfig().MaxTTL; a.tokenTTL <= 0 || a.tokenTTL > max {
		return usageErrorf("%s must be positive and at most %s, not %s", name, max, a.tokenTTL)
	}
	return nil
}

// authenticator returns the Authenticator of the API over db.
func (a *serveAuth) authenticator(db *store.DB, now func() time.Time) *auth.Authenticator {
	return &auth.Authenticator{
		Users: db, Orgs: db, Now: now,
		Sessions:           auth.DefaultSessionConfig(),
		Passwords:          auth.DefaultPasswordParams(),
		Limiter:            auth.NewLoginLimiter(auth.DefaultLoginLimitConfig(), now),
		SecureCookies:      a.secureCookies,
		TokenTouchInterval: time.Minute,
	}
}

// access returns the API's Access: the flags' token lifetime and origins,
// and denials kept in the audit log.
func (a *serveAuth) access(db *store.DB, log *slog.Logger) api.Access {
	tokens := auth.DefaultTokenConfig()
	tokens.DefaultTTL = a.tokenTTL
	return api.Access{Tokens: tokens, TrustedOrigins: a.trustedOrigins, TrustedProxies: a.proxies, Events: auditAuthEvents(db, log)}
}

// auditAuthEvents returns the hook that counts denials for the audit log:
// failed sign-ins, requests a role may not make (403), and reaches for
// another tenant's objects (404). Each is counted in its principal's,
// permission's and minute's window (store.RecordDenial), and each window
// becomes one audit record with its count once it is over
// (closeDenialWindows): a flood of denials is one record a minute, not one
// permanent record each. Every denial is also logged and counted in the
// metrics (by package api) before it gets here. Calls without valid
// credentials (401) and rate-limited sign-ins are only logged: anyone on
// the network can make them as fast as they like.
func auditAuthEvents(db *store.DB, log *slog.Logger) func(context.Context, api.AuthEvent) {
	return func(ctx context.Context, ev api.AuthEvent) {
		d := store.Denial{Principal: ev.Actor, Permission: ev.Permission, UserID: ev.UserID, OrgID: ev.OrgID,
			Credential: ev.Credential, Kind: ev.Kind, Method: ev.Method, Route: ev.Route, Reason: ev.Reason,
			Remote: ev.Remote, Email: ev.Email}
		switch ev.Kind {
		case api.AuthForbidden, api.AuthOutOfReach:
		case api.AuthLoginFailed:
			d.Principal = "login:" + ev.Email
		default:
			return
		}
		if err := db.RecordDenial(ctx, d); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "cannot count a denial for the audit log",
				slog.String("kind", ev.Kind), slog.String("actor", ev.Actor), slog.String("error", err.Error()))
		}
	}
}

// closeDenialWindows is the background job that appends the audit record
// of each window of denials once it is over (store.CloseDenialWindows).
func closeDenialWindows(db *store.DB, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := db.CloseDenialWindows(ctx)
		if n > 0 {
			log.Info("audit: recorded windows of denied requests", slog.Int("windows", n))
		}
		return err
	}
}

// adminTokenFile is the file in the data directory where serve writes
// the API token of the first system administrator it makes.
const adminTokenFile = "admin-token"

// bootstrapAdmin makes the first system administrator when the store has
// no user: an operator organization, the user (email), and an API token.
// The token's secret goes to <data dir>/admin-token, readable by its owner
// only, and to stderr only when stderr is a terminal; the log says where
// it is and never holds it, since logs are shipped and collected. The file
// is written (under a temporary name) before the store commits, so that a
// store with an administrator never lacks its token. Replicas starting
// together make at most one administrator (see store.DB.Bootstrap).
func (c *cli) bootstrapAdmin(ctx context.Context, db *store.DB, log *slog.Logger, email string, ttl time.Duration) error {
	// Most starts find users: they need no token file, nor a writable
	// data directory. Replicas racing on an empty store are settled by
	// Bootstrap below.
	if users, _, err := db.FindUsers(ctx, tollgate.UserFilter{Limit: 1}); err != nil {
		return fmt.Errorf("serve: bootstrap: %w", err)
	} else if len(users) > 0 {
		return nil
	}
	org := &tollgate.Org{Kind: tollgate.OrgOperator, Name: operatorOrgName, Country: "US"}
	u := &tollgate.User{Email: email, Name: "System administrator", Roles: []tollgate.Role{tollgate.RoleSystemAdmin}}
	cfg := auth.TokenConfig{DefaultTTL: ttl}
	secret, tok, err := auth.IssueToken(cfg, nil, u, bootstrapTokenFor, 0, c.now())
	if err != nil {
		return fmt.Errorf("serve: bootstrap: %w", err)
	}
	dir, err := c.dataDir()
	if err != nil {
		return fmt.Errorf("serve: bootstrap: %w", err)
	}
	path := filepath.Join(dir, adminTokenFile)
	tmp, err := writePrivateTemp(path, secret.Reveal()+"\n")
	if err != nil {
		return fmt.Errorf("serve: bootstrap: %w", err)
	}
	defer os.Remove(tmp) // gone once renamed
	made, err := db.Bootstrap(ctx, org, u, tok)
	if err != nil {
		return fmt.Errorf("serve: bootstrap: %w", err)
	}
	if !made {
		return nil
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("serve: bootstrap: keep the administrator's token: %w", err)
	}
	log.Warn("made the first system administrator; its API token is in the file, readable by this user only",
		slog.String("email", u.Email), slog.String("token_id", tok.ID), slog.String("file", path))
	if !isTerminal(c.stderr) {
		return nil
	}
	_, err = fmt.Fprintf(c.stderr, `
tollgate: the store had no users. Made the system administrator %s and an API token,
kept in %s (readable by you only) — keep it now:

    %s

Send it as "Authorization: Bearer <token>". It expires %s (token %s); make users
and tokens with "tollgate users" and "tollgate tokens", or through the API.

`, u.Email, path, secret.Reveal(), tok.ExpiresAt.Format(time.DateOnly), tok.ID)
	return err
}

// writePrivateTemp writes text to a new file next to path, readable by its
// owner only (0600), synced, and returns its name, for renaming over path.
func writePrivateTemp(path, text string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
