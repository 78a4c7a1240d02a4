package shipping

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"tollgate"
)

// TestReportCacheBound checks that the remembered reports never hold more
// serials than maxRememberedSerials, that remembering a report again
// replaces it, and that a report is filled in and recognised as verified
// only with its own row and key.
func TestReportCacheBound(t *testing.T) {
	c := &reportCache{}
	pub := make(ed25519.PublicKey, ed25519.PublicKeySize)
	serials := make([]string, 1000)
	for i := range serials {
		serials[i] = fmt.Sprintf("S-%04d", i)
	}
	report := func(i int) *tollgate.LabReport {
		return &tollgate.LabReport{ID: fmt.Sprintf("r%d", i), Number: fmt.Sprintf("LR-%d", i),
			Units: tollgate.Units{Serials: serials, Count: int64(len(serials))}, Pass: true}
	}
	for i := range maxRememberedSerials/len(serials) + 10 {
		c.add(report(i), pub)
		c.add(report(i), pub) // again: replaces, counted once
		if c.serials > maxRememberedSerials {
			t.Fatalf("after %d reports the cache holds %d serials, over %d", i+1, c.serials, maxRememberedSerials)
		}
	}
	last := report(maxRememberedSerials/len(serials) + 9)
	read := *last
	read.Units.Serials = nil
	if !c.fill(&read) || len(read.Units.Serials) != len(serials) {
		t.Fatalf("the last report remembered is not filled in: %d serials", len(read.Units.Serials))
	}
	if !c.verified(&read, pub) {
		t.Error("the last report remembered, filled in, is not verified")
	}
	other := make(ed25519.PublicKey, ed25519.PublicKeySize)
	other[0] = 1
	if c.verified(&read, other) {
		t.Error("a report is verified for a key it was not verified with")
	}
	changed := *last
	changed.Units.Serials, changed.Pass = nil, false
	if c.fill(&changed) {
		t.Error("a report whose row changed is filled in")
	}
	extra := *last
	extra.Units.Serials = append(append([]string(nil), serials...), "S-EXTRA")
	if c.verified(&extra, pub) {
		t.Error("a report with a serial its lab did not sign is verified")
	}
}
