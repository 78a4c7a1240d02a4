package catalog_test

import (
	"testing"

	"tollgate"
	"tollgate/catalog"
)

func TestProduct(t *testing.T) {
	c := catalog.Default()
	for _, name := range []string{"H200", "h200", "H200 SXM", "h200-sxm5", " Nvidia H200 "} {
		got, err := c.Product(name)
		if err != nil || got != "H200 SXM" {
			t.Errorf("Product(%q) = %q, %v; want H200 SXM", name, got, err)
		}
	}
	if got, err := c.Product("H100"); err != nil || got == "H200 SXM" {
		t.Errorf("Product(H100) = %q, %v; want another product", got, err)
	}
	if _, err := c.Product("H2000"); tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		t.Errorf("Product(H2000) = %v, want not found", err)
	}
}
