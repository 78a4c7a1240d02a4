package auth

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses CIDR prefixes ("10.0.0.0/8") or single
// addresses ("192.0.2.7", taken as /32 or /128) of the proxies whose
// X-Forwarded-For ClientAddress believes.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want a CIDR prefix such as 10.0.0.0/8 or an address", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// maxForwardedHops bounds how many X-Forwarded-For entries ClientAddress
// reads, so that a long header costs nothing.
const maxForwardedHops = 16

// ClientAddress returns the address of the client that sent r, for rate
// limits and logs: r.RemoteAddr, unless that is one of the trusted proxies;
// then X-Forwarded-For is read from its right end (the entry the nearest
// proxy added), skipping trusted proxies, and the first address that is
// not one is the client. Entries left of it were written by the client
// and are never believed. Without trusted proxies the header is ignored,
// so that no client can pick the bucket it is counted in.
func ClientAddress(r *http.Request, trusted []netip.Prefix) string {
	remote := r.RemoteAddr
	if len(trusted) == 0 || !isTrusted(remote, trusted) {
		return remote
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := remote
	for i := len(hops) - 1; i >= 0 && len(hops)-i <= maxForwardedHops; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		client = hop
		if !isTrusted(hop, trusted) {
			break
		}
	}
	return client
}

// isTrusted reports whether addr (host, or host:port) is in trusted.
func isTrusted(addr string, trusted []netip.Prefix) bool {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
