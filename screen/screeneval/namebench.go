package screeneval

import (
	"fmt"
	"strconv"
	"strings"

	"tollgate/screen"
)

// Confusion counts the decisions on labelled pairs at a threshold.
type Confusion struct {
	Pairs     int     `json:"pairs"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	TN        int     `json:"tn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// add counts one decision.
func (c *Confusion) add(want, got bool) {
	c.Pairs++
	switch {
	case want && got:
		c.TP++
	case want:
		c.FN++
	case got:
		c.FP++
	default:
		c.TN++
	}
}

// finish computes precision, recall and F1 from the counts.
func (c *Confusion) finish() {
	if c.TP+c.FP > 0 {
		c.Precision = float64(c.TP) / float64(c.TP+c.FP)
	}
	if c.TP+c.FN > 0 {
		c.Recall = float64(c.TP) / float64(c.TP+c.FN)
	}
	if c.Precision+c.Recall > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
}

// NameBenchResult is the figures of one name-pair file.
type NameBenchResult struct {
	File     string      `json:"file"`
	All      Confusion   `json:"all"`
	NonASCII Confusion   `json:"non_ascii"`
	Errors   []PairError `json:"errors,omitempty"`
}

// PairError is a pair decided wrongly.
type PairError struct {
	Name1  string  `json:"name1"`
	Name2  string  `json:"name2"`
	Schema string  `json:"schema"`
	Want   bool    `json:"want"`
	Score  float64 `json:"score"`
}

// runNameBench scores every pair of a name-pair file with screen.Compare.
func runNameBench(path string, opts Options) (*NameBenchResult, error) {
	t, err := readTable(path, "name1", "name2", "is_match")
	if err != nil {
		return nil, err
	}
	r := &NameBenchResult{File: fileLabel(path)}
	for i := range t.rows {
		want, err := strconv.ParseBool(strings.TrimSpace(t.get(i, "is_match")))
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: is_match: %w", path, i+2, err)
		}
		n1, n2, schema := t.get(i, "name1"), t.get(i, "name2"), t.get(i, "schema")
		typ, err := screen.ParseType(schema)
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", path, i+2, err)
		}
		score, _ := screen.Compare(n1, n2, typ)
		got := score >= opts.Config.Threshold
		r.All.add(want, got)
		if !isASCII(n1) || !isASCII(n2) {
			r.NonASCII.add(want, got)
		}
		if opts.Errors && want != got {
			r.Errors = append(r.Errors, PairError{Name1: n1, Name2: n2, Schema: schema, Want: want, Score: score})
		}
	}
	r.All.finish()
	r.NonASCII.finish()
	return r, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
