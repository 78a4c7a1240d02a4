package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientAddress(t *testing.T) {
	trusted, err := ParseTrustedProxies([]string{"10.0.0.0/8", "2001:db8:ff::/48", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted bool
		want    string
	}{
		{"NoProxyIgnoresHeader", "203.0.113.5:4000", []string{"198.51.100.1"}, false, "203.0.113.5:4000"},
		{"UntrustedPeerIgnoresHeader", "203.0.113.5:4000", []string{"198.51.100.1"}, true, "203.0.113.5:4000"},
		{"TrustedProxy", "10.1.2.3:5000", []string{"198.51.100.1"}, true, "198.51.100.1"},
		{"SpoofedLeftEntriesIgnored", "10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.1"}, true, "198.51.100.1"},
		{"ChainOfTrustedProxies", "10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.1, 192.0.2.7", "10.9.9.9"}, true, "198.51.100.1"},
		{"IPv6Proxy", "[2001:db8:ff::1]:443", []string{"2001:db8:1::5"}, true, "2001:db8:1::5"},
		{"AllTrustedTakesLeftmost", "10.1.2.3:5000", []string{"10.0.0.1, 10.0.0.2"}, true, "10.0.0.1"},
		{"NoHeader", "10.1.2.3:5000", nil, true, "10.1.2.3:5000"},
		{"JunkEntry", "10.1.2.3:5000", []string{"1.1.1.1, not-an-ip"}, true, "not-an-ip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, h := range tt.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			var tr = trusted
			if !tt.trusted {
				tr = nil
			}
			if got := ClientAddress(r, tr); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTrustedProxiesErr(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0"} {
		if _, err := ParseTrustedProxies([]string{s}); err == nil {
			t.Errorf("ParseTrustedProxies(%q): nil error", s)
		}
	}
}

func FuzzClientAddress(f *testing.F) {
	f.Add("10.0.0.1:1", "1.2.3.4, 10.0.0.2")
	trusted, _ := ParseTrustedProxies([]string{"10.0.0.0/8"})
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := ClientAddress(r, trusted)
		if got != remote && !isTrusted(remote, trusted) {
			t.Fatalf("an untrusted peer %q was replaced by %q", remote, got)
		}
	})
}

func FuzzParseTrustedProxies(f *testing.F) {
	f.Add("10.0.0.0/8,192.0.2.7")
	f.Add("::ffff:10.0.0.1, 2001:db8::/32")
	f.Fuzz(func(t *testing.T, list string) {
		prefixes, err := ParseTrustedProxies(strings.Split(list, ","))
		if err != nil {
			return
		}
		for _, p := range prefixes {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("ParseTrustedProxies(%q) gave %v, not a valid masked prefix", list, p)
			}
		}
	})
}
