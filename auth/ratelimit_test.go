package auth

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tollgate"
)

// mustAllow fails t unless l allows an attempt on account from addr.
func mustAllow(t *testing.T, l *LoginLimiter, account, addr string) {
	t.Helper()
	if err := l.Allow(account, addr); err != nil {
		t.Fatalf("Allow(%s, %s): %v", account, addr, err)
	}
}

// wantLimited fails t unless l refuses an attempt on account from addr by
// limit, for retry.
func wantLimited(t *testing.T, l *LoginLimiter, account, addr, limit string, retry time.Duration) {
	t.Helper()
	err := l.Allow(account, addr)
	var e *tollgate.Error
	if !errors.As(err, &e) || e.Code != tollgate.ELIMIT {
		t.Fatalf("Allow(%s, %s): %v, want ELIMIT", account, addr, err)
	}
	if rl, ok := e.Details.(RateLimited); !ok || rl.Limit != limit || rl.RetryAfter != retry {
		t.Fatalf("Allow(%s, %s): details %#v, want %s, retry after %s", account, addr, e.Details, limit, retry)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Free: 3, Base: time.Second, Max: 10 * time.Second}
	for n, want := range []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		if got := b.delay(n); got != want {
			t.Errorf("delay(%d) = %s, want %s", n, got, want)
		}
	}
	if got := b.delay(1 << 30); got != b.Max {
		t.Errorf("delay(huge) = %s, want Max", got)
	}
}

// TestLoginLimiterAccount: failures on one account from anywhere make the
// next attempt wait, the wait doubles, it never exceeds Max (no lockout),
// and a success forgets them.
func TestLoginLimiterAccount(t *testing.T) {
	clk := newClock()
	l := NewLoginLimiter(LoginLimitConfig{
		Account: Backoff{Free: 3, Base: time.Second, Max: 4 * time.Second, Forget: time.Hour},
		Address: Backoff{Free: 100, Base: time.Second, Max: time.Second, Forget: time.Hour},
	}, clk.Now)
	for i := range 3 {
		mustAllow(t, l, "Ada@Example.com", fmt.Sprintf("192.0.2.%d:5000", i))
	}
	wantLimited(t, l, "ada@example.com", "198.51.100.7:5000", "account", time.Second)
	mustAllow(t, l, "bob@example.com", "192.0.2.1:5000") // another account is not affected
	clk.Advance(time.Second)
	mustAllow(t, l, "ada@example.com", "192.0.2.1:5000")
	wantLimited(t, l, "ada@example.com", "192.0.2.1:5000", "account", 2*time.Second)
	// However many failures, the wait after the last is at most Max.
	for range 10 {
		clk.Advance(4 * time.Second)
		mustAllow(t, l, "ada@example.com", "192.0.2.1:5000")
	}
	wantLimited(t, l, "ada@example.com", "192.0.2.1:5000", "account", 4*time.Second)
	clk.Advance(4 * time.Second)
	mustAllow(t, l, "ada@example.com", "192.0.2.1:5000")
	l.Succeeded("ADA@example.com", "192.0.2.1:5000")
	mustAllow(t, l, "ada@example.com", "203.0.113.1:1")
}

// TestLoginLimiterKnownAddress: an address from which the account signed
// in skips the account's delay that others' failures run up.
func TestLoginLimiterKnownAddress(t *testing.T) {
	clk := newClock()
	l := NewLoginLimiter(LoginLimitConfig{
		Account:  Backoff{Free: 2, Base: time.Minute, Max: time.Minute, Forget: time.Hour},
		Address:  Backoff{Free: 100, Base: time.Second, Max: time.Second, Forget: time.Hour},
		KnownFor: 24 * time.Hour,
	}, clk.Now)
	const home = "192.0.2.10:443"
	mustAllow(t, l, "ada@example.com", home)
	l.Succeeded("ada@example.com", home)
	for i := range 2 {
		mustAllow(t, l, "ada@example.com", fmt.Sprintf("198.51.100.%d:1", i))
	}
	wantLimited(t, l, "ada@example.com", "198.51.100.99:1", "account", time.Minute)
	mustAllow(t, l, "ada@example.com", home)
	clk.Advance(25 * time.Hour) // known no more, and the failures are forgotten
	mustAllow(t, l, "ada@example.com", "198.51.100.7:1")
}

func TestLoginLimiterAddress(t *testing.T) {
	clk := newClock()
	l := NewLoginLimiter(LoginLimitConfig{
		Account: Backoff{Free: 100, Base: time.Second, Max: time.Second, Forget: time.Hour},
		Address: Backoff{Free: 2, Base: 10 * time.Second, Max: time.Hour, Forget: time.Hour},
	}, clk.Now)
	// One address spraying many accounts; IPv6 addresses within one /64
	// count as one.
	addrs := []string{"[2001:db8:1:2::1]:443", "[2001:db8:1:2:ffff::9]:80", "2001:db8:1:2::77"}
	for i, a := range addrs[:2] {
		mustAllow(t, l, fmt.Sprintf("user%d@example.com", i), a)
	}
	wantLimited(t, l, "user9@example.com", addrs[2], "address", 10*time.Second)
	// A refused attempt counts nothing: the account it named has no failure.
	mustAllow(t, l, "user9@example.com", "[2001:db8:1:3::1]:443")
	clk.Advance(10 * time.Second)
	mustAllow(t, l, "user@example.com", addrs[0])
	wantLimited(t, l, "user@example.com", addrs[0], "address", 20*time.Second)
}

func TestLoginLimiterConcurrent(t *testing.T) {
	// 8 goroutines × 50 attempts at one instant on one account: exactly the
	// free failures pass, since each attempt counts before its password is
	// checked.
	l := NewLoginLimiter(LoginLimitConfig{
		Account: Backoff{Free: 37, Base: time.Second, Max: time.Minute, Forget: time.Hour},
		Address: Backoff{Free: 1000, Base: time.Second, Max: time.Second, Forget: time.Hour},
	}, newClock().Now)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 50 {
				if l.Allow("victim@example.com", fmt.Sprintf("192.0.2.%d:1", g)) == nil {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 37 {
		t.Fatalf("allowed %d attempts, want 37", got)
	}
}

func TestLoginLimiterPrune(t *testing.T) {
	clk := newClock()
	l := NewLoginLimiter(LoginLimitConfig{
		Account:  Backoff{Free: 5, Base: time.Second, Max: time.Minute, Forget: time.Minute},
		Address:  Backoff{Free: 5, Base: time.Second, Max: time.Minute, Forget: time.Minute},
		KnownFor: time.Hour,
		MaxKeys:  100,
	}, clk.Now)
	for i := range 1000 {
		account, addr := fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("10.0.%d.%d:1", i/256, i%256)
		mustAllow(t, l, account, addr)
		l.Succeeded(account, addr)
		mustAllow(t, l, account, addr)
		if i%100 == 0 {
			clk.Advance(time.Second)
		}
	}
	if len(l.account) > 100 || len(l.address) > 100 || len(l.known) > 100 {
		t.Fatalf("tracking %d accounts, %d addresses and %d known pairs, want at most 100 each", len(l.account), len(l.address), len(l.known))
	}
}

func TestAddressKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1:5000", "192.0.2.1"},
		{"192.0.2.1", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"[2001:db8::1]:443", "2001:db8::/64"},
		{"[2001:db8:0:0:ffff::1%eth0]:443", "2001:db8::/64"},
		{"2001:db8:aa:bb:cc::1", "2001:db8:aa:bb::/64"},
		{"not-an-address", "not-an-address"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := AddressKey(tt.in); got != tt.want {
			t.Errorf("AddressKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := AddressKey(string(make([]byte, 500))); len(got) != maxAddressKeyLen {
		t.Errorf("junk address key has %d bytes, want %d", len(got), maxAddressKeyLen)
	}
}

func FuzzAddressKey(f *testing.F) {
	f.Add("192.0.2.1:5000")
	f.Add("[2001:db8::1%25eth0]:443")
	f.Fuzz(func(t *testing.T, s string) {
		if k := AddressKey(s); len(k) > maxAddressKeyLen && len(k) > len("ffff:ffff:ffff:ffff::/64") {
			t.Fatalf("AddressKey(%q) = %q: longer than %d", s, k, maxAddressKeyLen)
		}
	})
}
