package screen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"runtime/debug"
	"sync"

	"tollgate"
)

// A saved index. Building an index analyzes every listed name, which at a
// million entities takes far longer than reading the result back, so a
// server can start from an index saved earlier. The file is the index's
// slices written out in a small binary format:
//
//	magic, format version, engine version, lists key      (header)
//	lengths, then entities and vocabulary as strings     (text part)
//	names, tokens, weights, postings, fuzzy lookups      (array part)
//	CRC-32C of all that precedes
//
// The text part is read back as one string that every entity field and
// vocabulary token is a substring of, so loading allocates a few large
// blocks rather than millions of strings, and the entities, the
// vocabulary and the arrays are decoded at the same time. A saved index is only ever used
// for the lists and the engine it was built with: LoadIndex refuses a file
// whose lists key or engine version differs, or that is damaged, with
// ErrIndexMismatch.

// ErrIndexMismatch is returned (wrapped) by LoadIndex for a saved index
// that does not belong to the lists or the engine at hand, or that is
// damaged: build the index again.
var ErrIndexMismatch = errors.New("saved screening index does not match")

const (
	indexMagic         = "tollgate screen index\n"
	indexFormatVersion = 1
)

// EngineVersion identifies the engine that builds indexes: the saved-index
// format, the build's source revision when the binary records one, and a
// digest of how the engine reads a fixed set of names in every script it
// handles (their forms, tokens, kinds, phonetic and cross-script keys and
// built-in weights), so that an index saved by an engine that normalizes
// differently is never loaded.
func EngineVersion() string { return engineVersion() }

var engineVersion = sync.OnceValue(func() string {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\n", indexFormatVersion)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				fmt.Fprintf(h, "%s=%s\n", s.Key, s.Value)
			}
		}
	}
	for _, name := range engineCanaries {
		for _, typ := range []tollgate.EntityType{tollgate.EntityUnknown, tollgate.EntityPerson, tollgate.EntityOrganization} {
			for _, f := range analyze(name, typ).forms {
				for _, t := range f.toks {
					fmt.Fprintf(h, "%q %d %q %d %d %q %q %g|", t.text, t.kind, t.alt, t.altSpan, t.script,
						phoneticKey(t.text), crossKey(t.text, t.script), defaultWeights.weight(t))
				}
				h.Write([]byte{'\n'})
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
})

// engineCanaries are names in the scripts and forms the engine treats
// specially; see EngineVersion.
var engineCanaries = []string{
	"Huawei Technologies Co., Ltd.", "华为技术有限公司", "國防科技大學", "北方工业",
	"ПАО «НК «Роснефть»", "Сечин Игорь Иванович", "Hsi Chin-ping", "Mao Tse-tung",
	"Mohammed bin Salman Al Saud", "عبد الله", "אברהם כהן", "삼성전자 주식회사", "Ꮋuawei",
	"H u a w e i", "seigolonhceT iewauH\u202e", "Ig0r Sech1n", "14th Research Institute",
	"Νικόλαος", "Գրիգորյան", "ნიკოლოზი", "ヤマダ タロウ", "MOHAMMAD, Ali Reza", "Three Percenters",
}

// Save writes the index to w, keyed by lists: a string that identifies the
// list versions indexed (their digests), which LoadIndex must be given
// again.
func (ix *Index) Save(w io.Writer, lists string) error {
	var ents, voc bytes.Buffer
	t := encoder{w: &ents}
	t.uvarint(uint64(len(ix.entities)))
	for i := range ix.entities {
		t.entity(&ix.entities[i])
	}
	t = encoder{w: &voc}
	t.uvarint(uint64(len(ix.vocab)))
	for id, tok := range ix.vocab {
		t.str(tok)
		t.str(ix.vocabKey[id])
		t.str(ix.weightText(tok))
	}

	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<20)
	e := encoder{w: bw}
	e.str(indexMagic)
	e.uvarint(indexFormatVersion)
	e.str(EngineVersion())
	e.str(lists)
	e.uvarint(uint64(ents.Len()))
	e.uvarint(uint64(voc.Len()))
	e.write(ents.Bytes())
	e.write(voc.Bytes())
	ix.encodeArrays(&e)
	if e.err != nil {
		return fmt.Errorf("screen.Save: %w", e.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("screen.Save: %w", err)
	}
	if _, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32())); err != nil { // the trailer appendChecksum writes
		return fmt.Errorf("screen.Save: %w", err)
	}
	return nil
}

// weightText returns the learned weight of tok as 4 bytes, the way the
// text part stores it.
func (ix *Index) weightText(tok string) string {
	return string(binary.LittleEndian.AppendUint32(nil, math.Float32bits(ix.weights.learned[tok])))
}

// encodeArrays writes the array part.
func (ix *Index) encodeArrays(e *encoder) {
	n := len(ix.names)
	ent, start, ntok, alias := make([]int32, n), make([]int32, n), make([]uint8, n), make([]int32, n)
	for i, r := range ix.names {
		ent[i], start[i], ntok[i], alias[i] = r.entity, r.start, r.n, int32(r.alias)
	}
	e.int32s(ent)
	e.int32s(start)
	e.bytes(ntok)
	e.int32s(alias)
	vs := make([]uint8, len(ix.vocabScript))
	for i, s := range ix.vocabScript {
		vs[i] = uint8(s)
	}
	e.bytes(vs)
	e.int32s(ix.nameToks)
	kinds := make([]uint8, len(ix.nameKinds))
	for i, k := range ix.nameKinds {
		kinds[i] = uint8(k)
	}
	e.bytes(kinds)
	e.float32s(ix.nameW)
	e.int32s(ix.postings.start)
	e.int32s(ix.postings.vals)
	for _, h := range ix.hashCSRs() {
		e.uvarint(h.mask)
		keys, bounds := make([]uint64, len(h.slots)), make([]int32, 2*len(h.slots))
		for i, s := range h.slots {
			keys[i], bounds[2*i], bounds[2*i+1] = s.key, s.start, s.end
		}
		e.uint64s(keys)
		e.int32s(bounds)
		e.int32s(h.vals)
	}
}

// Entities returns the indexed entities, in the order NewIndex was given
// them (a loaded index keeps the order of the index saved). They are the
// index's own: do not modify them.
func (ix *Index) Entities() []tollgate.Entity { return ix.entities }

// hashCSRs returns the fuzzy lookups in the order they are saved.
func (ix *Index) hashCSRs() []*hashCSR {
	return []*hashCSR{&ix.deletes, &ix.phonetic, &ix.stems, &ix.cross}
}

// LoadIndex reads an index saved by Save. It fails with ErrIndexMismatch
// when the file was saved for other lists than lists, by another engine
// (EngineVersion), or is damaged; the index then must be built again. cfg
// replaces the configuration the index was saved with.
func LoadIndex(r io.Reader, lists string, cfg Config) (*Index, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("screen.LoadIndex: %w", err)
	}
	ix, err := decodeIndex(data, lists, cfg)
	if err != nil {
		return nil, fmt.Errorf("screen.LoadIndex: %w", err)
	}
	return ix, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendChecksum appends the CRC-32C trailer of body.
func appendChecksum(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
}

// readAll reads r to its end, in one allocation when r is a file.
func readAll(r io.Reader) ([]byte, error) {
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			buf := make([]byte, fi.Size())
			if _, err := io.ReadFull(r, buf); err != nil {
				return nil, err
			}
			rest, err := io.ReadAll(r) // a file that grew since Stat
			return append(buf, rest...), err
		}
	}
	return io.ReadAll(r)
}

// mismatch wraps ErrIndexMismatch with what did not match.
func mismatch(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrIndexMismatch, fmt.Sprintf(format, args...))
}

// decodeIndex implements LoadIndex over the file's bytes.
func decodeIndex(data []byte, lists string, cfg Config) (*Index, error) {
	if len(data) < 4 {
		return nil, mismatch("file too short")
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, mismatch("checksum does not match: the file is damaged")
	}
	d := &decoder{buf: body}
	if d.str() != indexMagic || d.uvarint() != indexFormatVersion {
		return nil, mismatch("not a saved screening index of this format")
	}
	if engine := d.str(); engine != EngineVersion() {
		return nil, mismatch("saved by engine %s, this is engine %s", engine, EngineVersion())
	}
	if saved := d.str(); saved != lists {
		return nil, mismatch("saved for lists %q, not the current %q", saved, lists)
	}
	nEnts, nVoc := d.uvarint(), d.uvarint()
	if d.err != nil || nEnts > uint64(len(body)) || nVoc > uint64(len(body)) {
		return nil, mismatch("damaged header")
	}
	text := string(d.bytesN(int(nEnts + nVoc)))
	if d.err != nil {
		return nil, mismatch("damaged header: %v", d.err)
	}
	// The three parts are independent: decode them at once.
	ix := &Index{cfg: cfg, cache: newRetrievalCache()}
	var errEnts, errVoc error
	var wg sync.WaitGroup
	wg.Go(func() { errEnts = (&textDecoder{s: text[:nEnts]}).entities(ix) })
	wg.Go(func() { errVoc = (&textDecoder{s: text[nEnts:]}).vocabulary(ix) })
	errArrays := ix.decodeArrays(d)
	wg.Wait()
	if err := errors.Join(errEnts, errVoc); err != nil {
		return nil, mismatch("damaged text part: %v", err)
	}
	if errArrays != nil {
		return nil, mismatch("damaged array part: %v", errArrays)
	}
	if err := ix.validate(); err != nil {
		return nil, mismatch("inconsistent index: %v", err)
	}
	return ix, nil
}

// validate checks that every reference inside a loaded index points inside
// the slice it indexes, so that a file crafted to pass the checksum cannot
// make a query read out of bounds.
func (ix *Index) validate() error {
	nv, nn, ne := len(ix.vocab), len(ix.names), len(ix.entities)
	switch {
	case len(ix.vocabScript) != nv:
		return errors.New("vocabulary columns of different lengths")
	case len(ix.nameKinds) != len(ix.nameToks) || len(ix.nameW) != len(ix.nameToks):
		return errors.New("token columns of different lengths")
	}
	for _, r := range ix.names {
		if r.entity < 0 || int(r.entity) >= ne || r.start < 0 || int(r.start)+int(r.n) > len(ix.nameToks) {
			return errors.New("a name points outside the index")
		}
	}
	for _, id := range ix.nameToks {
		if id < 0 || int(id) >= nv {
			return errors.New("a token points outside the vocabulary")
		}
	}
	if err := checkRanges(ix.postings.start, len(ix.postings.vals)); err != nil || len(ix.postings.start) != nv+1 {
		return errors.New("postings out of range")
	}
	if !allBelow(ix.postings.vals, nn) {
		return errors.New("a posting points outside the names")
	}
	for _, h := range ix.hashCSRs() {
		if len(h.slots) == 0 && h.mask == 0 {
			continue
		}
		if uint64(len(h.slots)) != h.mask+1 || h.mask&(h.mask+1) != 0 {
			return errors.New("a hash table's size is not its mask")
		}
		empty := false
		for _, s := range h.slots {
			empty = empty || s.key == 0
			if s.key != 0 && (s.start < 0 || s.start > s.end || int(s.end) > len(h.vals)) {
				return errors.New("a hash slot points outside its values")
			}
		}
		if !empty {
			return errors.New("a hash table has no empty slot to end a probe")
		}
		if !allBelow(h.vals, nv) {
			return errors.New("a hash value points outside the vocabulary")
		}
	}
	return nil
}

// checkRanges checks that start is non-decreasing from 0 to at most n.
func checkRanges(start []int32, n int) error {
	prev := int32(0)
	for _, s := range start {
		if s < prev || int(s) > n {
			return errors.New("ranges out of order")
		}
		prev = s
	}
	return nil
}

// allBelow reports whether every value is in [0, n).
func allBelow(vals []int32, n int) bool {
	for _, v := range vals {
		if v < 0 || int(v) >= n {
			return false
		}
	}
	return true
}
