// Package catalog holds tollgate's embedded chip catalog: the advanced AI
// chips of the 2025–2026 export regime (regime.md §8) with their dense peak
// throughput, die area, memory, DRAM bandwidth, data-center designation and
// US availability, each figure with its source. It also parses a user's own
// chip specification (YAML or JSON) into the same type.
package catalog

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"tollgate"
)

//go:embed chips.yaml
var chipsYAML []byte

// Catalog is an immutable list of chips with a forgiving name index.
type Catalog struct {
	chips []tollgate.Chip
	index map[string]int // normalized name → position in chips
}

var defaultCatalog = sync.OnceValues(func() (*Catalog, error) { return Load(chipsYAML) })

// Default returns the embedded catalog. The embedded file is checked by the
// package's tests; a catalog that fails to load is a build defect, so
// Default panics rather than return an error every caller would ignore.
func Default() *Catalog {
	c, err := defaultCatalog()
	if err != nil {
		panic("catalog: embedded chips.yaml: " + err.Error())
	}
	return c
}

// Load parses a catalog file: a YAML or JSON mapping whose "chips" key lists
// chip specifications (see ParseSpec). Catalog entries are held to a higher
// standard than a user's spec: every figure must name its source, and no two
// chips may answer to the same name.
func Load(data []byte) (*Catalog, error) {
	var file struct {
		Chips []spec `json:"chips"`
	}
	if err := decodeStrict(data, &file); err != nil {
		return nil, fmt.Errorf("catalog.Load: %w", err)
	}
	if len(file.Chips) == 0 {
		return nil, fmt.Errorf("catalog.Load: %w", tollgate.FieldErrorf("chips", "lists no chips"))
	}
	cat := &Catalog{index: make(map[string]int)}
	for i := range file.Chips {
		prefix := fmt.Sprintf("chips[%d].", i)
		c, err := file.Chips[i].chip(prefix)
		if err != nil {
			return nil, fmt.Errorf("catalog.Load: %w", err)
		}
		if err := checkSources(&c, prefix); err != nil {
			return nil, fmt.Errorf("catalog.Load: %w", err)
		}
		for _, name := range c.Names() {
			k := tollgate.ChipKey(name)
			if j, dup := cat.index[k]; dup && j != len(cat.chips) {
				return nil, fmt.Errorf("catalog.Load: %w", tollgate.FieldErrorf(prefix+"model",
					"name %q also names %s", name, cat.chips[j].Name()))
			}
			cat.index[k] = len(cat.chips)
		}
		cat.chips = append(cat.chips, c)
	}
	return cat, nil
}

// checkSources requires a source for each figure a catalog chip states.
func checkSources(c *tollgate.Chip, prefix string) error {
	for i, p := range c.Peaks {
		if strings.TrimSpace(p.Source) == "" {
			return tollgate.FieldErrorf(fmt.Sprintf("%speaks[%d].source", prefix, i), "is required in the catalog")
		}
	}
	need := map[string]bool{
		"data_center":                 true,
		"dram_bandwidth_gbps":         c.DRAMBandwidthGBps > 0,
		"interconnect_bandwidth_gbps": c.InterconnectBandwidthGBps > 0,
		"die_area_mm2":                c.DieAreaMM2 > 0,
		"memory_gb":                   c.MemoryGB > 0,
		"us_available":                c.USAvailable != "",
	}
	for _, field := range tollgate.ChipSourceFields {
		if need[field] && strings.TrimSpace(c.Sources[field]) == "" {
			return tollgate.FieldErrorf(prefix+"sources."+field, "is required in the catalog")
		}
	}
	return nil
}

// Chips returns a copy of the catalog's chips in catalog order.
func (c *Catalog) Chips() []tollgate.Chip {
	out := make([]tollgate.Chip, len(c.chips))
	copy(out, c.chips)
	return out
}

// Models returns the model names in catalog order.
func (c *Catalog) Models() []string {
	out := make([]string, len(c.chips))
	for i := range c.chips {
		out[i] = c.chips[i].Model
	}
	return out
}

// Lookup finds a chip by model or alias, ignoring case, spaces and
// punctuation, with or without the vendor ("h200", "H200 SXM", "nvidia
// h200"). An unknown name is an ENOTFOUND error listing the known models.
func (c *Catalog) Lookup(name string) (tollgate.Chip, error) {
	if i, ok := c.index[tollgate.ChipKey(name)]; ok {
		return c.chips[i], nil
	}
	msg := fmt.Sprintf("unknown model %q", name)
	if s := c.Suggest(name); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(quoteAll(s), " or "))
	}
	err := tollgate.Errorf(tollgate.ENOTFOUND, "%s; known models: %s", msg, strings.Join(c.Models(), ", "))
	err.Field = "chip"
	return tollgate.Chip{}, fmt.Errorf("catalog.Lookup: %w", err)
}

// Suggest returns the models closest to an unknown name, compared as
// ChipKey: the chips whose nearest name is the fewest edits away, within
// half the name's length (at least two edits). At most three, in catalog
// order.
func (c *Catalog) Suggest(name string) []string {
	key := tollgate.ChipKey(name)
	if key == "" {
		return nil
	}
	limit := max(2, len(key)/2)
	best := limit + 1
	var out []string
	for i := range c.chips {
		d := len(key) + 1 // more than any edit distance that can count
		for _, n := range c.chips[i].Names() {
			d = min(d, editDistance(key, tollgate.ChipKey(n)))
		}
		switch {
		case d < best:
			best, out = d, []string{c.chips[i].Model}
		case d == best:
			out = append(out, c.chips[i].Model)
		}
	}
	return out[:min(3, len(out))]
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (ChipKey leaves letters and digits, mostly ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
