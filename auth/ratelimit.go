package auth

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"tollgate"
)

// Bucket is a token bucket: Burst attempts at once, then one more every
// Every. The zero Bucket allows nothing.
type Bucket struct {
	Burst int
	Every time.Duration
}

// LoginLimitConfig sets the login limiter's two buckets and bounds its
// memory.
type LoginLimitConfig struct {
	// Account limits attempts on one account (by normalized email) from
	// anywhere: it stops a distributed guesser from trying one password
	// after another on one account.
	Account Bucket
	// Address limits attempts from one remote address (an IPv6 /64 counts
	// as one address) on any account: it stops one machine from trying one
	// password on many accounts.
	Address Bucket
	// MaxKeys bounds how many accounts and addresses each are tracked.
	// Past it, keys whose bucket has refilled are dropped, and if that is
	// not enough, arbitrary keys are, so an attacker who sprays addresses
	// can make the limiter forget some of them but never exhaust memory.
	MaxKeys int
}

// DefaultLoginLimitConfig allows an account 5 attempts at once and one more
// a minute (about 1,400 guesses a day, hopeless against the password
// policy), and an address 20 at once and one more every 6 seconds (an
// office behind one NAT signing in at 9:00).
func DefaultLoginLimitConfig() LoginLimitConfig {
	return LoginLimitConfig{
		Account: Bucket{Burst: 5, Every: time.Minute},
		Address: Bucket{Burst: 20, Every: 6 * time.Second},
		MaxKeys: 100_000,
	}
}

// LoginLimiter limits login attempts per account and per remote address,
// in memory. It is safe for concurrent use, reads time only from the clock
// it was given, and runs in one replica: with several replicas each keeps
// its own counts, so the limits multiply by the number of replicas.
type LoginLimiter struct {
	cfg LoginLimitConfig
	now func() time.Time

	mu      sync.Mutex
	account map[string]time.Time // key → the bucket's theoretical arrival time
	address map[string]time.Time
}

// NewLoginLimiter returns a limiter with cfg that reads the time from now.
func NewLoginLimiter(cfg LoginLimitConfig, now func() time.Time) *LoginLimiter {
	return &LoginLimiter{cfg: cfg, now: now, account: map[string]time.Time{}, address: map[string]time.Time{}}
}

// RateLimited is the Details of the error Allow returns.
type RateLimited struct {
	Limit      string        `json:"limit"`       // "account" or "address"
	RetryAfter time.Duration `json:"retry_after"` // until the next attempt is allowed
}

// Allow records one login attempt on account (an email, normalized here)
// from remoteAddr (an http.Request's RemoteAddr, or an address the caller
// trusts more, such as one a known proxy forwarded). It returns nil when
// both buckets have room, taking one token from each; otherwise an ELIMIT
// error whose Details is a RateLimited, taking nothing. Call it before
// checking the password, for every attempt.
func (l *LoginLimiter) Allow(account, remoteAddr string) error {
	acct, addr := tollgate.NormalizeEmail(account), AddressKey(remoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	nextAcct, waitAcct := take(l.account[acct], now, l.cfg.Account)
	nextAddr, waitAddr := take(l.address[addr], now, l.cfg.Address)
	if waitAcct > 0 || waitAddr > 0 {
		limit, wait := "account", waitAcct
		if waitAddr > waitAcct {
			limit, wait = "address", waitAddr
		}
		return &tollgate.Error{
			Code:    tollgate.ELIMIT,
			Message: "too many sign-in attempts; try again in " + wait.Round(time.Second).String(),
			Details: RateLimited{Limit: limit, RetryAfter: wait},
		}
	}
	l.account[acct] = nextAcct
	l.address[addr] = nextAddr
	pruneKeys(l.account, now, l.cfg.MaxKeys)
	pruneKeys(l.address, now, l.cfg.MaxKeys)
	return nil
}

// Succeeded forgets the attempts on account after a successful sign-in, so
// that a user's own typos do not slow their next sign-in. The address's
// attempts stay counted.
func (l *LoginLimiter) Succeeded(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.account, tollgate.NormalizeEmail(account))
}

// take applies the generic cell rate algorithm (a token bucket kept as one
// time): tat is when the bucket will be full again (zero for a new key).
// It returns the new tat when an attempt at now fits, or how long to wait.
func take(tat, now time.Time, b Bucket) (time.Time, time.Duration) {
	if b.Burst <= 0 {
		return tat, b.Every + 1 // allows nothing; any positive wait
	}
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(b.Every)
	limit := now.Add(time.Duration(b.Burst) * b.Every)
	if next.After(limit) {
		return tat, next.Sub(limit)
	}
	return next, 0
}

// pruneKeys keeps m within maxKeys: first dropping keys whose bucket is
// full again (forgetting them changes nothing), then arbitrary ones down to
// three quarters of the bound, so that pruning runs at most once every
// maxKeys/4 new keys.
func pruneKeys(m map[string]time.Time, now time.Time, maxKeys int) {
	if maxKeys <= 0 || len(m) <= maxKeys {
		return
	}
	for k, tat := range m {
		if !tat.After(now) {
			delete(m, k)
		}
	}
	for k := range m {
		if len(m) <= maxKeys*3/4 {
			break
		}
		delete(m, k)
	}
}

// maxAddressKeyLen bounds the key kept for a remote address that does not
// parse, so that junk cannot grow the limiter's memory.
const maxAddressKeyLen = 64

// AddressKey returns the key a remote address is limited under: the IP
// address without the port, IPv4-mapped IPv6 as IPv4, and IPv6 reduced to
// its /64 (one customer's network, which an attacker can fill with fresh
// addresses at will). An address that does not parse is its own key,
// truncated.
func AddressKey(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		if len(remoteAddr) > maxAddressKeyLen {
			return remoteAddr[:maxAddressKeyLen]
		}
		return remoteAddr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// RequestLimiter limits the requests of each key (a signed-in user) to a
// Bucket, in memory. It is safe for concurrent use and reads time only from
// the clock it was given. Like LoginLimiter it counts in one replica: with
// several replicas behind a load balancer each keeps its own counts.
type RequestLimiter struct {
	bucket  Bucket
	maxKeys int
	now     func() time.Time

	mu  sync.Mutex
	tat map[string]time.Time // key → the bucket's theoretical arrival time
}

// NewRequestLimiter returns a limiter allowing each key b's requests,
// tracking at most maxKeys keys (see LoginLimitConfig.MaxKeys).
func NewRequestLimiter(b Bucket, maxKeys int, now func() time.Time) *RequestLimiter {
	return &RequestLimiter{bucket: b, maxKeys: maxKeys, now: now, tat: map[string]time.Time{}}
}

// Allow records one request of key and returns 0 when its bucket had
// room; otherwise it takes nothing and returns how long until the next
// request of key fits.
func (l *RequestLimiter) Allow(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	next, wait := take(l.tat[key], now, l.bucket)
	if wait > 0 {
		return wait
	}
	l.tat[key] = next
	pruneKeys(l.tat, now, l.maxKeys)
	return 0
}
