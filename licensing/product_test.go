package licensing_test

import (
	"testing"

	"tollgate"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
	"tollgate/store"
)

// TestServiceProductIdentity: items and stated US shipments naming one
// catalog product by different names are keyed to its identity, and a
// name the catalog does not know is kept as given.
func TestServiceProductIdentity(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := licensingtest.As(e.w.Officer())
	d := e.w.Draft()
	d.Items = append(d.Items, d.Items[0], d.Items[0])
	d.Items[1].Model, d.Items[2].Model = "h200 sxm5", "H2000"
	d.USShipments = []tollgate.USUnitsShipped{{Product: "nvidia h200", Units: 10}}
	sa, err := e.svc.CreateDraft(officer, d)
	mustNoErr(t, err)
	got := []string{sa.Items[0].Product(), sa.Items[1].Product(), sa.Items[2].Product(), sa.USShipments[0].Product}
	want := []string{"H200 SXM", "H200 SXM", "H2000", "H200 SXM"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("products %q, want %q", got, want)
			break
		}
	}
	if sa.Items[0].Model != "H200" || sa.Items[1].Model != "h200 sxm5" {
		t.Errorf("models %q, %q: the application keeps the names it was given", sa.Items[0].Model, sa.Items[1].Model)
	}
	if n := sa.QuantityOf("H200 SXM"); n != 2*d.Items[0].Quantity {
		t.Errorf("QuantityOf(H200 SXM) = %d, want both items' %d", n, 2*d.Items[0].Quantity)
	}
}

// TestServiceDecisionProductIdentity: a decision naming the product "H200"
// licenses the application's product under its identity, the key orders
// and the cap use.
func TestServiceDecisionProductIdentity(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	id := e.w.Submitted(t, e.svc)
	bis := licensingtest.As(e.w.LicensingOfficer())
	approval := licensingtest.Approval()
	approval.Items[0].Product = "h200"
	for _, ev := range []licensing.Event{{Kind: licensing.EventAccept}, {Kind: licensing.EventDecide, Decision: approval}} {
		_, err := e.svc.Apply(bis, id, ev, 0)
		mustNoErr(t, err)
	}
	v, _, err := e.svc.FindLicenses(licensingtest.As(e.w.Officer()), store.LicenseFilter{})
	mustNoErr(t, err)
	if len(v) != 1 || len(v[0].Items) != 1 || v[0].Items[0].Product != "H200 SXM" {
		t.Fatalf("licenses %+v, want one item of H200 SXM", v)
	}
	if approval.Items[0].Product != "h200" {
		t.Errorf("the caller's decision was changed: %q", approval.Items[0].Product)
	}
}
