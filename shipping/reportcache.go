package shipping

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"sync"

	"tollgate"
)

// signedReports remembers lab reports whose signatures verified, with the
// serials they cover. A report covers a shipment, hundreds or thousands of
// units, and every reservation of a few of them read all its serials and
// checked its signature over all of them again: with reports of 1,000
// units, bench ship made 976 pairs/s on SQLite and 939 on PostgreSQL
// instead of about 3,000 and 1,700 with reports of 40.
//
// A remembered report stands in for a report read now only when every
// column of the row read now (everything but the serials: number, lab,
// units' count, figures, judgment, key, signature, ...) is the one it
// verified with, and only for the public key it verified with, which the
// key read now must still hold (the key's validity is checked each time).
// Its serials are then the ones the lab signed. Reports never change once
// recorded; a report whose row was changed in the database anyway is read
// and verified afresh, and one whose serial rows alone were changed is
// judged by the serials its lab signed.
var signedReports = &reportCache{}

// maxRememberedSerials bounds the serials the cache holds, and so its
// memory (some 40 bytes a serial, about 10 MB in all); it is emptied when
// full.
const maxRememberedSerials = 1 << 18

type reportCache struct {
	mu      sync.Mutex
	m       map[string]rememberedReport // by report ID
	serials int
}

type rememberedReport struct {
	row     [sha256.Size]byte // rowDigest of the report
	serials []string          // shared, never changed
	pub     ed25519.PublicKey // the key its signature verified with
}

// rowDigest returns the SHA-256 of everything r's row holds: r but its
// serials.
func rowDigest(r *tollgate.LabReport) [sha256.Size]byte {
	row := *r
	row.Units.Serials = nil
	b, err := json.Marshal(row)
	if err != nil { // a LabReport always encodes; should it not, nothing matches
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(b)
}

// fill sets the serials of r, a report of serials read without them, from
// a remembered report with r's row, and reports whether it did. The
// serials are shared: they must not be changed.
func (c *reportCache) fill(r *tollgate.LabReport) bool {
	c.mu.Lock()
	e, ok := c.m[r.ID]
	c.mu.Unlock()
	if !ok || e.row != rowDigest(r) {
		return false
	}
	r.Units.Serials = e.serials
	return true
}

// verified reports whether r, with its serials, is a remembered report
// whose signature verified with pub.
func (c *reportCache) verified(r *tollgate.LabReport, pub ed25519.PublicKey) bool {
	c.mu.Lock()
	e, ok := c.m[r.ID]
	c.mu.Unlock()
	return ok && bytes.Equal(e.pub, pub) && e.row == rowDigest(r) && slices.Equal(e.serials, r.Units.Serials)
}

// add remembers r, whose signature verified with pub.
func (c *reportCache) add(r *tollgate.LabReport, pub ed25519.PublicKey) {
	e := rememberedReport{row: rowDigest(r), serials: slices.Clone(r.Units.Serials), pub: slices.Clone(pub)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.serials+len(e.serials) > maxRememberedSerials {
		c.m, c.serials = map[string]rememberedReport{}, 0
	}
	if old, ok := c.m[r.ID]; ok {
		c.serials -= len(old.serials)
	}
	c.m[r.ID] = e
	c.serials += len(e.serials)
}
