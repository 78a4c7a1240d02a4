package auditlog

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// scan is what reading a bundle's records file yields: the leaf hash and
// the claimed sequence number of every line, and the first line that is not
// a canonical record numbered by its position.
type scan struct {
	leaves       []tlog.Hash
	seqs         []int64 // parsed sequence number per line, -1 when the line does not parse
	problem      int64   // index of the first line that does not parse or has Seq != index; -1 if none
	problemMsg   string  // what is wrong with that line, to follow "line N "
	unterminated bool    // the last line has no newline
}

// count returns the number of lines read.
func (s *scan) count() int64 { return int64(len(s.leaves)) }

// chunk is a run of lines handed to a worker.
type chunk struct {
	no    int   // chunk number, for putting results back in order
	first int64 // index of the chunk's first line
	data  []byte
	ends  []int             // end offset in data of each line
	long  map[int]tlog.Hash // leaf hashes of lines too long to hold, by line number in the chunk
}

// chunkResult is a worker's answer for one chunk.
type chunkResult struct {
	no         int
	leaves     []tlog.Hash
	seqs       []int64
	problem    int64 // absolute line index, -1 if none
	problemMsg string
}

const chunkLines = 2048

// scanRecords reads records, one canonical record per line, hashing and
// parsing lines on all CPUs while reading in order. sizeHint (the
// checkpoint's size) presizes the result.
func scanRecords(ctx context.Context, r io.Reader, sizeHint int64) (*scan, error) {
	if sizeHint < 0 || sizeHint > 1<<26 {
		sizeHint = 0 // a hint only; a bogus checkpoint must not allocate gigabytes
	}
	s := &scan{leaves: make([]tlog.Hash, 0, sizeHint), seqs: make([]int64, 0, sizeHint), problem: -1}
	workers := runtime.GOMAXPROCS(0)
	todo := make(chan *chunk, 2*workers)
	done := make(chan chunkResult, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range todo {
				done <- parseChunk(c)
			}
		})
	}
	readErr := make(chan error, 1)
	go func() {
		readErr <- readChunks(ctx, r, todo, &s.unterminated)
		close(todo)
		wg.Wait()
		close(done)
	}()
	pending := map[int]chunkResult{}
	next := 0
	for res := range done {
		pending[res.no] = res
		for {
			res, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			s.leaves = append(s.leaves, res.leaves...)
			s.seqs = append(s.seqs, res.seqs...)
			if s.problem < 0 && res.problem >= 0 {
				s.problem, s.problemMsg = res.problem, res.problemMsg
			}
		}
	}
	if err := <-readErr; err != nil {
		return nil, err
	}
	return s, nil
}

// readChunks splits r into chunks of lines and sends them to todo. It
// records whether the last line lacks its newline.
func readChunks(ctx context.Context, r io.Reader, todo chan<- *chunk, unterminated *bool) error {
	br := bufio.NewReaderSize(r, MaxRecordSize+1)
	c := &chunk{}
	var line int64
	for {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than any record: hash it as it streams by.
			h, end, lerr := hashLongLine(br, b)
			if lerr != nil {
				return lerr
			}
			if c.long == nil {
				c.long = map[int]tlog.Hash{}
			}
			c.long[len(c.ends)] = h
			c.ends = append(c.ends, len(c.data))
			*unterminated = !end
			err = nil // the line is done; at EOF the next read says so
		} else if len(b) > 0 {
			*unterminated = b[len(b)-1] != '\n'
			if !*unterminated {
				b = b[:len(b)-1]
			}
			c.data = append(c.data, b...)
			c.ends = append(c.ends, len(c.data))
		}
		if len(c.ends) == chunkLines || (err != nil && len(c.ends) > 0) {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			c.first = line
			line += int64(len(c.ends))
			todo <- c
			c = &chunk{no: c.no + 1}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", RecordsFile, err)
		}
	}
}

// hashLongLine returns the leaf hash of a line that does not fit in br's
// buffer, of which head was read, and whether the line ended in a newline.
func hashLongLine(br *bufio.Reader, head []byte) (tlog.Hash, bool, error) {
	h := sha256.New()
	h.Write([]byte{0}) // RFC 6962 leaf prefix, as tlog.RecordHash
	h.Write(head)
	for {
		b, err := br.ReadSlice('\n')
		if err == nil {
			h.Write(b[:len(b)-1])
			var out tlog.Hash
			h.Sum(out[:0])
			return out, true, nil
		}
		h.Write(b)
		if err == io.EOF {
			var out tlog.Hash
			h.Sum(out[:0])
			return out, false, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return tlog.Hash{}, false, fmt.Errorf("read %s: %w", RecordsFile, err)
		}
	}
}

// parseChunk hashes and parses the lines of c.
func parseChunk(c *chunk) chunkResult {
	res := chunkResult{no: c.no, leaves: make([]tlog.Hash, len(c.ends)), seqs: make([]int64, len(c.ends)), problem: -1}
	start := 0
	for i, end := range c.ends {
		line := c.data[start:end]
		start = end
		idx := c.first + int64(i)
		if h, ok := c.long[i]; ok {
			res.leaves[i], res.seqs[i] = h, -1
			res.note(idx, fmt.Sprintf("is longer than %d bytes, the most a record can be", MaxRecordSize))
			continue
		}
		res.leaves[i] = LeafHash(line)
		rec, err := ParseRecord(line)
		if err != nil {
			res.seqs[i] = -1
			msg := err.Error()
			if ie, ok := err.(*InputError); ok && ie.Field == "record" {
				msg = ie.Message
			}
			res.note(idx, "is not a canonical record: "+msg)
			continue
		}
		res.seqs[i] = rec.Seq
		if rec.Seq != idx {
			res.note(idx, fmt.Sprintf("holds record %d", rec.Seq))
		}
	}
	return res
}

func (res *chunkResult) note(idx int64, msg string) {
	if res.problem < 0 {
		res.problem, res.problemMsg = idx, msg
	}
}
