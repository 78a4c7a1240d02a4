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

func TestLoginLimiterAccount(t *testing.T) {
	clk := newClock()
	l := NewLoginLimiter(LoginLimitConfig{
		Account: Bucket{Burst: 3, Every: time.Minute},
		Address: Bucket{Burst: 100, Every: time.Second},
	}, clk.Now)
	// Three attempts from three addresses pass; the fourth is refused
	// whatever its address, because the account's bucket is empty.
	for i := range 3 {
		if err := l.Allow("Ada@Example.com", fmt.Sprintf("192.0.2.%d:5000", i)); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	err := l.Allow("ada@example.com", "198.51.100.7:5000")
	var e *tollgate.Error
	if !errors.As(err, &e) || e.Code != tollgate.ELIMIT {
		t.Fatalf("4th attempt: %v, want ELIMIT", err)
	}
	rl, ok := e.Details.(RateLimited)
	if !ok || rl.Limit != "account" || rl.RetryAfter != time.Minute {
		t.Fatalf("details %#v; want account, retry after 1m", e.Details)
	}
	// Another account is not affected.
	if err := l.Allow("bob@example.com", "192.0.2.1:5000"); err != nil {
		t.Errorf("other account: %v", err)
	}
	// One token comes back a minute later, and only one.
	clk.Advance(time.Minute)
	if err := l.Allow("ada@example.com", "192.0.2.1:5000"); err != nil {
		t.Errorf("after a minute: %v", err)
	}
	if err := l.Allow("ada@example.com", "192.0.2.1:5000"); err == nil {
		t.Error("second attempt after a minute: got nil error")
	}
	// A successful sign-in forgets the account's attempts.
	l.Succeeded("ADA@example.com")
	if err := l.Allow("ada@example.com", "192.0.2.1:5000"); err != nil {
		t.Errorf("after success: %v", err)
	}
}

func TestLoginLimiterAddress(t *testing.T) {
	clk := newClock()
	l := NewLoginLimiter(LoginLimitConfig{
		Account: Bucket{Burst: 100, Every: time.Second},
		Address: Bucket{Burst: 2, Every: 10 * time.Second},
	}, clk.Now)
	// One address spraying many accounts; IPv6 addresses within one /64
	// count as one.
	addrs := []string{"[2001:db8:1:2::1]:443", "[2001:db8:1:2:ffff::9]:80", "2001:db8:1:2::77"}
	for i, a := range addrs[:2] {
		if err := l.Allow(fmt.Sprintf("user%d@example.com", i), a); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	err := l.Allow("user9@example.com", addrs[2])
	var e *tollgate.Error
	if !errors.As(err, &e) || e.Details.(RateLimited).Limit != "address" {
		t.Fatalf("3rd attempt from the /64: %v, want the address limit", err)
	}
	// A refused attempt takes nothing: the account it named still has its burst.
	if err := l.Allow("user9@example.com", "[2001:db8:1:3::1]:443"); err != nil {
		t.Errorf("other /64: %v", err)
	}
	clk.Advance(20 * time.Second)
	for i := range 2 {
		if err := l.Allow("user@example.com", addrs[0]); err != nil {
			t.Errorf("after refill, attempt %d: %v", i+1, err)
		}
	}
}

func TestLoginLimiterZeroBucket(t *testing.T) {
	l := NewLoginLimiter(LoginLimitConfig{Account: Bucket{}, Address: Bucket{Burst: 5, Every: time.Second}}, newClock().Now)
	if err := l.Allow("a@b.c", "192.0.2.1:1"); tollgate.ErrorCode(err) != tollgate.ELIMIT {
		t.Fatalf("zero bucket: %v, want ELIMIT", err)
	}
}

func TestLoginLimiterConcurrent(t *testing.T) {
	// 8 goroutines × 50 attempts at one instant on one account: exactly the
	// burst passes.
	l := NewLoginLimiter(LoginLimitConfig{
		Account: Bucket{Burst: 37, Every: time.Hour},
		Address: Bucket{Burst: 1000, Every: time.Second},
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
		Account: Bucket{Burst: 5, Every: time.Minute},
		Address: Bucket{Burst: 5, Every: time.Minute},
		MaxKeys: 100,
	}, clk.Now)
	for i := range 1000 {
		if err := l.Allow(fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("10.0.%d.%d:1", i/256, i%256)); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			clk.Advance(time.Second)
		}
	}
	if len(l.account) > 100 || len(l.address) > 100 {
		t.Fatalf("tracking %d accounts and %d addresses, want at most 100 each", len(l.account), len(l.address))
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
