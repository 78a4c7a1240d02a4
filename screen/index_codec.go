package screen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"tollgate"
)

// The saved index's encoding (index_save.go): unsigned varints for counts
// and lengths, strings as length and bytes, slices as length and
// little-endian elements.

// encoder writes the saved index's encoding; the first error sticks.
type encoder struct {
	w   io.Writer
	err error
	buf []byte
}

func (e *encoder) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uvarint(v uint64) {
	e.buf = binary.AppendUvarint(e.buf[:0], v)
	e.write(e.buf)
}

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf[:0], s...)
	e.write(e.buf)
}

// strs writes a slice of strings, keeping nil apart from empty.
func (e *encoder) strs(ss []string) {
	if ss == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(ss)) + 1)
	for _, s := range ss {
		e.str(s)
	}
}

// flushAt writes buf once it holds a chunk's worth.
const flushAt = 1 << 16

func (e *encoder) bytes(b []uint8) {
	e.uvarint(uint64(len(b)))
	e.write(b)
}

func (e *encoder) int32s(v []int32) {
	e.uvarint(uint64(len(v)))
	e.buf = e.buf[:0]
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(x))
		if len(e.buf) >= flushAt {
			e.write(e.buf)
			e.buf = e.buf[:0]
		}
	}
	e.write(e.buf)
}

func (e *encoder) float32s(v []float32) {
	e.uvarint(uint64(len(v)))
	e.buf = e.buf[:0]
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(x))
		if len(e.buf) >= flushAt {
			e.write(e.buf)
			e.buf = e.buf[:0]
		}
	}
	e.write(e.buf)
}

func (e *encoder) uint64s(v []uint64) {
	e.uvarint(uint64(len(v)))
	e.buf = e.buf[:0]
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint64(e.buf, x)
		if len(e.buf) >= flushAt {
			e.write(e.buf)
			e.buf = e.buf[:0]
		}
	}
	e.write(e.buf)
}

// entity writes every field of an entity; entityFields in the tests lists
// them, so that a field added to tollgate.Entity cannot be forgotten here.
func (e *encoder) entity(x *tollgate.Entity) {
	e.str(x.List)
	e.str(x.SourceID)
	e.str(x.Name)
	e.strs(x.AltNames)
	e.strs(x.WeakAltNames)
	e.str(string(x.Type))
	if x.Addresses == nil {
		e.uvarint(0)
	} else {
		e.uvarint(uint64(len(x.Addresses)) + 1)
	}
	for _, a := range x.Addresses {
		e.str(a.Street)
		e.str(a.City)
		e.str(a.State)
		e.str(a.PostalCode)
		e.str(a.Country)
	}
	e.strs(x.Countries)
	e.strs(x.Programs)
	e.str(x.Citation)
	e.str(x.LicenseRequirement)
	e.str(x.LicensePolicy)
	e.str(x.StartDate)
	e.strs(x.BirthDates)
	e.str(x.Remarks)
}

var errShort = errors.New("unexpected end of data")

// textDecoder reads the text part: its strings are substrings of s.
type textDecoder struct {
	s   string
	pos int
	err error
}

func (t *textDecoder) uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if t.pos >= len(t.s) {
			t.err = errShort
			return 0
		}
		c := t.s[t.pos]
		t.pos++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	t.err = errors.New("varint overflows")
	return 0
}

// count reads a count of items of at least one byte each.
func (t *textDecoder) count() int {
	n := t.uvarint()
	if n > uint64(len(t.s)-t.pos) {
		t.err = errShort
		return 0
	}
	return int(n)
}

func (t *textDecoder) str() string {
	n := t.count()
	if t.err != nil {
		return ""
	}
	s := t.s[t.pos : t.pos+n]
	t.pos += n
	return s
}

// strs reads what encoder.strs wrote.
func (t *textDecoder) strs() []string {
	n := t.count()
	if n == 0 || t.err != nil {
		return nil
	}
	out := make([]string, n-1)
	for i := range out {
		out[i] = t.str()
	}
	return out
}

func (t *textDecoder) entity(x *tollgate.Entity) {
	x.List = t.str()
	x.SourceID = t.str()
	x.Name = t.str()
	x.AltNames = t.strs()
	x.WeakAltNames = t.strs()
	x.Type = tollgate.EntityType(t.str())
	if n := t.count(); n > 0 && t.err == nil {
		x.Addresses = make([]tollgate.Address, n-1)
		for i := range x.Addresses {
			a := &x.Addresses[i]
			a.Street, a.City, a.State, a.PostalCode, a.Country = t.str(), t.str(), t.str(), t.str(), t.str()
		}
	}
	x.Countries = t.strs()
	x.Programs = t.strs()
	x.Citation = t.str()
	x.LicenseRequirement = t.str()
	x.LicensePolicy = t.str()
	x.StartDate = t.str()
	x.BirthDates = t.strs()
	x.Remarks = t.str()
}

// entities reads the entities into ix.
func (t *textDecoder) entities(ix *Index) error {
	ix.entities = make([]tollgate.Entity, t.count())
	for i := range ix.entities {
		if t.err != nil {
			return t.err
		}
		t.entity(&ix.entities[i])
	}
	return t.end()
}

// vocabulary reads the vocabulary and the learned weights into ix.
func (t *textDecoder) vocabulary(ix *Index) error {
	nv := t.count()
	ix.vocab, ix.vocabKey = make([]string, nv), make([]string, nv)
	ix.tokenID = make(map[string]int32, nv)
	learned := make(map[string]float32, nv)
	for id := range nv {
		tok, key, w := t.str(), t.str(), t.str()
		if t.err != nil {
			return t.err
		}
		if len(w) != 4 {
			return errors.New("a weight is not 4 bytes")
		}
		if _, dup := ix.tokenID[tok]; dup {
			return fmt.Errorf("token %q saved twice", tok)
		}
		ix.vocab[id], ix.vocabKey[id] = tok, key
		ix.tokenID[tok] = int32(id)
		learned[tok] = math.Float32frombits(binary.LittleEndian.Uint32([]byte(w)))
	}
	ix.weights = &weightModel{learned: learned}
	return t.end()
}

// end checks that the part was read to its end.
func (t *textDecoder) end() error {
	if t.err == nil && t.pos != len(t.s) {
		return errors.New("trailing bytes")
	}
	return t.err
}

// decoder reads the header and the array part from the file's bytes.
type decoder struct {
	buf []byte
	pos int
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.pos:])
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.pos += n
	return v
}

// bytesN returns the next n bytes (aliasing the file's bytes).
func (d *decoder) bytesN(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.buf)-d.pos {
		if d.err == nil {
			d.err = errShort
		}
		return nil
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

// elems reads a slice length and returns the bytes of its elements of size
// each.
func (d *decoder) elems(size int) (int, []byte) {
	n := d.uvarint()
	if n > uint64(len(d.buf)-d.pos)/uint64(size) {
		d.err = errShort
		return 0, nil
	}
	return int(n), d.bytesN(int(n) * size)
}

func (d *decoder) str() string { return string(d.bytesN(int(min(d.uvarint(), math.MaxInt32)))) }

func (d *decoder) bytes() []uint8 {
	_, b := d.elems(1)
	return b
}

func (d *decoder) int32s() []int32 {
	n, b := d.elems(4)
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (d *decoder) float32s() []float32 {
	n, b := d.elems(4)
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (d *decoder) uint64s() []uint64 {
	n, b := d.elems(8)
	out := make([]uint64, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

// decodeArrays reads what encodeArrays wrote.
func (ix *Index) decodeArrays(d *decoder) error {
	ent, start, ntok, alias := d.int32s(), d.int32s(), d.bytes(), d.int32s()
	if d.err != nil {
		return d.err
	}
	if len(start) != len(ent) || len(ntok) != len(ent) || len(alias) != len(ent) {
		return errors.New("name columns of different lengths")
	}
	ix.names = make([]nameRec, len(ent))
	for i := range ix.names {
		ix.names[i] = nameRec{entity: ent[i], start: start[i], n: ntok[i], alias: int16(alias[i])}
	}
	vs := d.bytes()
	ix.vocabScript = make([]script, len(vs))
	for i, s := range vs {
		ix.vocabScript[i] = script(s)
	}
	ix.nameToks = d.int32s()
	kinds := d.bytes()
	ix.nameKinds = make([]tokKind, len(kinds))
	for i, k := range kinds {
		ix.nameKinds[i] = tokKind(k)
	}
	ix.nameW = d.float32s()
	ix.postings = csr{start: d.int32s(), vals: d.int32s()}
	for _, h := range ix.hashCSRs() {
		h.mask = d.uvarint()
		keys, bounds := d.uint64s(), d.int32s()
		if d.err != nil {
			return d.err
		}
		if len(bounds) != 2*len(keys) {
			return errors.New("hash slots of different lengths")
		}
		h.slots = make([]hashSlot, len(keys))
		for i := range h.slots {
			h.slots[i] = hashSlot{key: keys[i], start: bounds[2*i], end: bounds[2*i+1]}
		}
		h.vals = d.int32s()
	}
	if d.err == nil && d.pos != len(d.buf) {
		return errors.New("trailing bytes")
	}
	return d.err
}
