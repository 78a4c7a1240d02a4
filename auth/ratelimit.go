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

// Backoff is a delay that grows with failures: Free failures pass
// without one, the next must wait Base after the last, and each further
// failure doubles the wait, up to Max. No key is ever locked for longer
// than Max after its last failure; failures are forgotten Forget after
// the last one (never, when Forget is 0). The zero Backoff delays nothing.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// delay returns the wait after the failures-th failure.
func (b Backoff) delay(failures int) time.Duration {
	if failures < b.Free || failures <= 0 {
		return 0
	}
	d := b.Base
	for i := b.Free; i < failures && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// LoginLimitConfig sets the login limiter's two delays and bounds its
// memory.
type LoginLimitConfig struct {
	// Account delays attempts on one account (by normalized email) from
	// anywhere: it slows a distributed guesser trying one password after
	// another on one account. Its Max is short, since anyone can make the
	// account's owner wait it.
	Account Backoff
	// Address delays attempts from one remote address (an IPv6 /64 counts
	// as one address) on any account: it slows one machine trying one
	// password on many accounts.
	Address Backoff
	// KnownFor is how long an address from which an account signed in
	// successfully skips that account's delay (never the address's own):
	// so others' failures cannot hold the account's owner back at all
	// from where they usually sign in.
	KnownFor time.Duration
	// MaxKeys bounds how many accounts, addresses and known pairs each are
	// tracked. Past it, keys whose failures are forgotten are dropped, and
	// if that is not enough, arbitrary keys are, so an attacker who sprays
	// addresses can make the limiter forget some of them but never exhaust
	// memory.
	MaxKeys int
}

// DefaultLoginLimitConfig lets an account fail 5 times at once, then waits
// 1s, 2s, 4s … and at most a minute after each failure (about 1,400
// guesses a day, hopeless against the password policy, and never more
// than a minute's wait for the owner); an address fails 20 times at once
// (an office behind one NAT signing in at 9:00), then waits 1s doubling to
// at most 15 minutes. Failures are forgotten an hour after the last one.
func DefaultLoginLimitConfig() LoginLimitConfig {
	return LoginLimitConfig{
		Account:  Backoff{Free: 5, Base: time.Second, Max: time.Minute, Forget: time.Hour},
		Address:  Backoff{Free: 20, Base: time.Second, Max: 15 * time.Minute, Forget: time.Hour},
		KnownFor: 30 * 24 * time.Hour,
		MaxKeys:  100_000,
	}
}

// failures is what the limiter keeps for one key.
type failures struct {
	n    int       // attempts not (yet) known to have succeeded
	last time.Time // the last of them
}

// LoginLimiter delays login attempts per account and per remote address
// after failures, in memory. It is safe for concurrent use, reads time
// only from the clock it was given, and runs in one replica: with several
// replicas each keeps its own counts, so the limits multiply by the number
// of replicas.
type LoginLimiter struct {
	cfg LoginLimitConfig
	now func() time.Time

	mu      sync.Mutex
	account map[string]failures
	address map[string]failures
	known   map[string]time.Time // account + " " + address key → until when it skips the account's delay
}

// NewLoginLimiter returns a limiter with cfg that reads the time from now.
func NewLoginLimiter(cfg LoginLimitConfig, now func() time.Time) *LoginLimiter {
	return &LoginLimiter{cfg: cfg, now: now, account: map[string]failures{}, address: map[string]failures{},
		known: map[string]time.Time{}}
}

// RateLimited is the Details of the error Allow returns.
type RateLimited struct {
	Limit      string        `json:"limit"`       // "account" or "address"
	RetryAfter time.Duration `json:"retry_after"` // until the next attempt is allowed
}

// Allow records one login attempt on account (an email, normalized here)
// from remoteAddr (an http.Request's RemoteAddr, or the client address a
// trusted proxy forwarded, see ClientAddress). It returns nil when neither
// the account's nor the address's delay since its last failure is running,
// and counts the attempt as a failure of both until Succeeded says
// otherwise (so that concurrent guesses count before their passwords are
// checked); otherwise it returns an ELIMIT error whose Details is a
// RateLimited, counting nothing. An address from which the account signed
// in before (KnownFor) skips the account's delay. Call it before checking
// the password, for every attempt.
func (l *LoginLimiter) Allow(account, remoteAddr string) error {
	acct, addr := tollgate.NormalizeEmail(account), AddressKey(remoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fa, fd := current(l.account[acct], now, l.cfg.Account), current(l.address[addr], now, l.cfg.Address)
	waitAcct := wait(fa, now, l.cfg.Account)
	if until, ok := l.known[acct+" "+addr]; ok && now.Before(until) {
		waitAcct = 0
	}
	waitAddr := wait(fd, now, l.cfg.Address)
	if waitAcct > 0 || waitAddr > 0 {
		limit, d := "account", waitAcct
		if waitAddr > waitAcct {
			limit, d = "address", waitAddr
		}
		return &tollgate.Error{
			Code:    tollgate.ELIMIT,
			Message: "too many failed sign-in attempts; try again in " + d.Round(time.Second).String(),
			Details: RateLimited{Limit: limit, RetryAfter: d},
		}
	}
	l.account[acct] = failures{n: fa.n + 1, last: now}
	l.address[addr] = failures{n: fd.n + 1, last: now}
	l.prune(now)
	return nil
}

// Succeeded records that the attempt Allow let through for account from
// remoteAddr succeeded: the account's failures are forgotten (a user's own
// typos do not slow their next sign-in), the address's count drops by
// this attempt, and the address is known for the account for KnownFor.
func (l *LoginLimiter) Succeeded(account, remoteAddr string) {
	acct, addr := tollgate.NormalizeEmail(account), AddressKey(remoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.account, acct)
	if f, ok := l.address[addr]; ok {
		if f.n--; f.n <= 0 {
			delete(l.address, addr)
		} else {
			l.address[addr] = f
		}
	}
	if l.cfg.KnownFor > 0 {
		l.known[acct+" "+addr] = l.now().Add(l.cfg.KnownFor)
	}
}

// current returns f, or nothing when its failures are forgotten.
func current(f failures, now time.Time, b Backoff) failures {
	if b.Forget > 0 && now.Sub(f.last) >= b.Forget {
		return failures{}
	}
	return f
}

// wait returns how long after now the next attempt of a key with f must
// wait.
func wait(f failures, now time.Time, b Backoff) time.Duration {
	return max(0, f.last.Add(b.delay(f.n)).Sub(now))
}

// prune keeps the limiter's maps within MaxKeys: first dropping keys whose
// failures are forgotten (or known pairs that expired), then arbitrary
// ones down to three quarters of the bound, so that pruning runs at most
// once every MaxKeys/4 new keys.
func (l *LoginLimiter) prune(now time.Time) {
	max := l.cfg.MaxKeys
	for _, x := range []struct {
		m map[string]failures
		b Backoff
	}{{l.account, l.cfg.Account}, {l.address, l.cfg.Address}} {
		if max <= 0 || len(x.m) <= max {
			continue
		}
		for k, f := range x.m {
			if current(f, now, x.b).n == 0 && wait(f, now, x.b) == 0 {
				delete(x.m, k)
			}
		}
		for k := range x.m {
			if len(x.m) <= max*3/4 {
				break
			}
			delete(x.m, k)
		}
	}
	pruneKeys(l.known, now, max)
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
