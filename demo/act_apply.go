package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/licensing"
)

// unitPriceCents is the China price of one H200: about $27,000
// (regime.md §7).
const unitPriceCents = 27_000_00

// usShipment is a shipment of H200s to a US customer for US end use: the
// 50% cap's denominator.
type usShipment struct {
	Customer  string
	Reference string
	Units     int64
	ShippedOn string
	EndUse    string // what the customer uses them for in the US
}

// The US shipments: recorded on 12 Dec 2025 (10,000 units, cap 5,000)
// and on 2 Mar 2026 (2,000 more, cap 6,000).
var (
	usShipmentsDecember = []usShipment{
		{"Microsoft Corporation", "INV-US-2025-1201", 3500, "2025-12-01", "cloud AI services in US data centers"},
		{"Oracle Corporation", "INV-US-2025-1203", 2500, "2025-12-03", "cloud AI services in US data centers"},
		{"Meta Platforms, Inc.", "INV-US-2025-1205", 2000, "2025-12-05", "AI model training in its US data centers"},
		{"CoreWeave, Inc.", "INV-US-2025-1210", 2000, "2025-12-10", "GPU cloud in US data centers"},
	}
	usShipmentsFebruary = []usShipment{
		{"Microsoft Corporation", "INV-US-2026-0220", 1000, "2026-02-20", "cloud AI services in US data centers"},
		{"Amazon Web Services, Inc.", "INV-US-2026-0226", 1000, "2026-02-26", "cloud AI services in US data centers"},
	}
)

// orderSpec is an order from a Chinese customer.
type orderSpec struct {
	Ref      string
	Customer string
	Quantity int64
}

// orderSpecs are the customers' orders, at unitPriceCents each unit.
var orderSpecs = []orderSpec{
	{"BD-2025-001", "bytedance", 3000},
	{"BD-2025-002", "bytedance", 1000}, // a state-funded data-center project: Beijing never approves it
	{"AL-2025-001", "alibaba", 2500},
	{"AL-2025-002", "alibaba", 1500}, // the part BIS does not license
	{"AL-2025-003", "alibaba", 800},  // for a state-funded data center, which must buy domestic chips
	{"TC-2025-001", "tencent", 3000}, // its application is returned without action
}

// applicationSpec is a license application for one cleared customer.
type applicationSpec struct {
	Customer string
	Quantity int64
	EndUse   string
}

// applicationSpecs are the three applications filed for the cleared
// customers, one per customer.
var applicationSpecs = []applicationSpec{
	{"bytedance", 4000, "Training and inference of the customer's own AI models in its data centers in China: a civil, commercial end use."},
	{"alibaba", 4000, "Public cloud AI computing services offered from the customer's data centers in China to commercial users."},
	{"tencent", 3000, "AI inference for the customer's consumer and enterprise services, hosted in its data centers in China."},
}

// applyAct records the US shipments and the customers' orders on 12 and
// 15 Dec 2025, drafts one application per cleared customer with its
// end-use statement and the six certifications, and submits them on
// 17 Dec 2025.
func (p *play) applyAct(ctx context.Context) error {
	p.at("2025-12-12 16:00")
	us, err := p.recordUSShipments(ctx, usShipmentsDecember)
	if err != nil {
		return step("US shipments", err)
	}
	p.tell("apply", "%s records %s H200s shipped to US customers since 1 Dec (%s): the 50%% cap allows %s units to China",
		p.cast.officer().user.Email, thousands(us.USUnits), usCustomers(usShipmentsDecember), thousands(us.CapUnits))

	p.at("2025-12-15 10:00")
	for _, o := range orderSpecs {
		if err := p.createOrder(ctx, o); err != nil {
			return step("order "+o.Ref, err)
		}
	}
	p.tell("apply", "the customers place %d orders for %s H200s at %s each", len(orderSpecs), thousands(orderUnits(orderSpecs)), tollgate.FormatCents(unitPriceCents))

	p.at("2025-12-15 11:00")
	for _, a := range applicationSpecs {
		if err := p.draft(ctx, a, us.USUnits); err != nil {
			return step("draft for "+customerByKey(a.Customer).Short, err)
		}
	}
	p.tell("apply", "%s drafts %d applications, attaches each customer's end-use statement (PDF) and certifies the six statements of the H200 rule",
		p.cast.officer().user.Email, len(applicationSpecs))

	p.at("2025-12-17 09:00")
	var filed []string
	for _, a := range applicationSpecs {
		cn, err := p.submit(ctx, a.Customer)
		if err != nil {
			return step("submit for "+customerByKey(a.Customer).Short, err)
		}
		filed = append(filed, fmt.Sprintf("%s %s (%s units)", cn, customerByKey(a.Customer).Short, thousands(a.Quantity)))
	}
	p.tell("apply", "every precheck passes (parties clear, classification case by case, certifications, cap, documents); submitted: %s", strings.Join(filed, ", "))
	return nil
}

// recordUSShipments records shipments as the officer and returns the cap
// position after them.
func (p *play) recordUSShipments(ctx context.Context, shipments []usShipment) (capPosition, error) {
	exporter := p.cast.exporter()
	wctx, err := p.as(ctx, p.cast.officer(), "shipment.write", auth.OwnedBy(exporter.ID))
	if err != nil {
		return capPosition{}, err
	}
	for _, s := range shipments {
		on, err := time.Parse(time.DateOnly, s.ShippedOn)
		if err != nil {
			return capPosition{}, err
		}
		if _, err := p.shipping.RecordUSShipment(wctx, tollgate.DomesticShipment{ExporterOrgID: exporter.ID, Product: product,
			Units: s.Units, ShippedOn: on, Customer: s.Customer, EndUse: s.EndUse, Reference: s.Reference}); err != nil {
			return capPosition{}, err
		}
	}
	pos, err := p.shipping.CapPosition(ctx, exporter.ID, product)
	return capPosition{USUnits: pos.USUnits, CapUnits: pos.CapUnits, HeldUnits: pos.HeldUnits, Headroom: pos.Headroom}, err
}

// capPosition is the shipping service's cap position, as the story reads
// it.
type capPosition struct{ USUnits, CapUnits, HeldUnits, Headroom int64 }

func usCustomers(ss []usShipment) string {
	var names []string
	for _, s := range ss {
		names = append(names, fmt.Sprintf("%s %s", s.Customer, thousands(s.Units)))
	}
	return strings.Join(names, ", ")
}

func orderUnits(os []orderSpec) int64 {
	var n int64
	for _, o := range os {
		n += o.Quantity
	}
	return n
}

// createOrder records a customer's order as the officer.
func (p *play) createOrder(ctx context.Context, o orderSpec) error {
	exporter := p.cast.exporter()
	wctx, err := p.as(ctx, p.cast.officer(), "order.write", auth.OwnedBy(exporter.ID))
	if err != nil {
		return err
	}
	order, err := p.shipping.CreateOrder(wctx, tollgate.Order{ExporterOrgID: exporter.ID, CustomerPartyID: p.parties[o.Customer].ID,
		Reference: o.Ref, Product: product, Quantity: o.Quantity, UnitPriceCents: unitPriceCents, Destination: "CN"})
	if err != nil {
		return err
	}
	p.orders[o.Ref] = order
	return nil
}

// draft creates an application for a customer, attaches its end-use
// statement and makes every certification the classification requires.
func (p *play) draft(ctx context.Context, a applicationSpec, usUnits int64) error {
	exporter, officer := p.cast.exporter(), p.cast.officer()
	party := p.parties[a.Customer]
	wctx, err := p.as(ctx, officer, "application.write", auth.OwnedBy(exporter.ID))
	if err != nil {
		return err
	}
	sa, err := p.licensing.CreateDraft(wctx, licensing.Draft{
		Parties: tollgate.ApplicationParties{Applicant: exporter.ID, Purchaser: party.ID, UltimateConsignee: party.ID,
			EndUsers: []string{party.ID}},
		Destination: "CN", ExportFrom: "US", EndUse: a.EndUse,
		Items: []tollgate.ApplicationItem{{Model: product, ECCN: p.res.Figures.H200.ECCN, Quantity: a.Quantity, UnitPriceCents: unitPriceCents,
			Manufacturer: "NVIDIA Corporation (fabricated by TSMC in Taiwan)", Description: "NVIDIA H200 SXM GPU, 141 GB HBM3e, 4.8 TB/s"}},
		USShipments: []tollgate.USUnitsShipped{{Product: product, Units: usUnits}},
	})
	if err != nil {
		return step("create", err)
	}
	c := customerByKey(a.Customer)
	name := "end-use-statement-" + c.Key + ".pdf"
	if _, _, err := p.licensing.UploadDocument(wctx, sa.ID, name, "application/pdf", endUseStatement(c, a)); err != nil {
		return step("upload", err)
	}
	sctx, err := p.as(ctx, officer, "application.submit", auth.OwnedBy(exporter.ID))
	if err != nil {
		return err
	}
	reqs, err := p.licensing.RequiredCertifications(sctx, sa.ID)
	if err != nil {
		return step("certifications", err)
	}
	for _, r := range reqs {
		in := licensing.CertificationInput{Code: r.Code, Statement: r.Text, OfficerName: officer.user.Name + ", " + exporter.Name}
		if _, err := p.licensing.Certify(sctx, sa.ID, in, 0); err != nil {
			return step("certify "+r.Code, err)
		}
	}
	p.apps[a.Customer] = &sa.Application
	return nil
}

// submit files a customer's application and returns its control number.
func (p *play) submit(ctx context.Context, key string) (string, error) {
	sctx, err := p.as(ctx, p.cast.officer(), "application.submit", auth.OwnedBy(p.cast.exporter().ID))
	if err != nil {
		return "", err
	}
	out, err := p.licensing.Submit(sctx, p.apps[key].ID, 0)
	if err != nil {
		return "", err
	}
	p.apps[key] = &out.Application.Application
	return out.Application.ControlNumber, nil
}

// endUseStatement returns the customer's end-use statement as a one-page
// PDF, the kind of supporting document an application carries.
func endUseStatement(c customer, a applicationSpec) []byte {
	return onePagePDF("End-use statement",
		"Ultimate consignee and end user: "+c.LegalName+" ("+c.City+", China)",
		"Items: "+thousands(a.Quantity)+" NVIDIA H200 SXM GPUs (ECCN 3A090.a)",
		"End use: "+a.EndUse,
		"The consignee will not permit unauthorized remote access to the items,",
		"and will not use them for military or military-intelligence end uses.",
		"Demo document made by tollgate demo; not a real statement.")
}

// onePagePDF returns a minimal, well-formed PDF 1.4 document of one US
// Letter page: title in bold, then lines, in Helvetica. Text outside
// printable ASCII is replaced by '?', since the standard fonts' encoding
// covers no more.
func onePagePDF(title string, lines ...string) []byte {
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT /F2 16 Tf 72 720 Td (%s) Tj ET\n", pdfText(title))
	y := 690
	for _, l := range lines {
		fmt.Fprintf(&content, "BT /F1 11 Tf 72 %d Td (%s) Tj ET\n", y, pdfText(l))
		y -= 18
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " +
			"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// pdfText escapes s for a PDF literal string.
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
