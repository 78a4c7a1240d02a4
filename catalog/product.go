package catalog

import (
	"fmt"

	"tollgate"
)

// Product returns the product identity of the chip name names (its model,
// an alias, with or without the vendor, in any case or spacing): the
// product key of the catalog's model, so that "H200", "h200" and "H200
// SXM5" are one product wherever caps, licenses and orders count units.
// An unknown name is ENOTFOUND, as Lookup.
func (c *Catalog) Product(name string) (string, error) {
	chip, err := c.Lookup(name)
	if err != nil {
		return "", fmt.Errorf("catalog.Product: %w", err)
	}
	return tollgate.ProductKey(chip.Model), nil
}
