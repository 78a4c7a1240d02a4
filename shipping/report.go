package shipping

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"time"

	"tollgate"
)

// Period is a reporting period: the dates from From up to, not including,
// To (both UTC midnights).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// MonthlyPeriods splits [from, to) into calendar periods of months months
// each, the first starting on from's month and the last ending at to.
func MonthlyPeriods(from, to time.Time, months int) ([]Period, error) {
	from, to = civilDate(from), civilDate(to)
	switch {
	case months < 1 || months > 120:
		return nil, fmt.Errorf("shipping.MonthlyPeriods: %w", tollgate.FieldErrorf("months", "must be 1 to 120; got %d", months))
	case !to.After(from):
		return nil, fmt.Errorf("shipping.MonthlyPeriods: %w", tollgate.FieldErrorf("to", "must be after from"))
	case to.Sub(from) > 100*366*24*time.Hour:
		return nil, fmt.Errorf("shipping.MonthlyPeriods: %w", tollgate.FieldErrorf("to", "at most 100 years after from"))
	}
	var out []Period
	start := from
	month := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	for start.Before(to) {
		month = month.AddDate(0, months, 0)
		end := month
		if end.After(to) {
			end = to
		}
		out = append(out, Period{From: start, To: end})
		start = end
	}
	return out, nil
}

// ReportInput is what Report summarizes: one exporter's records (shipments,
// import entries, exports, orders — records of other exporters are
// ignored), the periods, and the products (all the products in the records
// when empty).
type ReportInput struct {
	Config        Config                      `json:"config"`
	ExporterOrgID string                      `json:"exporter_org_id"`
	Products      []string                    `json:"products"`
	Periods       []Period                    `json:"periods"`
	Shipments     []tollgate.DomesticShipment `json:"shipments"`
	Imports       []tollgate.ImportEntry      `json:"imports"`
	Exports       []tollgate.Export           `json:"exports"`
	Orders        []tollgate.Order            `json:"orders"`
}

// PeriodReport is the money and the limits of one product in one period.
// China figures count exports to the cap's destinations shipped (by export
// date) in the period; the "to date" figures and the cap count everything
// up to the period's end.
type PeriodReport struct {
	ExporterOrgID string `json:"exporter_org_id"`
	Product       string `json:"product"`
	From          string `json:"from"`
	To            string `json:"to"`
	// ChinaRevenueCents is the value of the exports shipped in the period;
	// DutyPaidCents and DutyOwedCents the Section 232 duty on their units,
	// paid and still owed; DutyRatioBP the paid duty as a share of that
	// revenue (the "25%"), rounded half-up.
	ChinaUnits        int64 `json:"china_units"`
	ChinaRevenueCents int64 `json:"china_revenue_cents"`
	DutyPaidCents     int64 `json:"duty_paid_cents"`
	DutyOwedCents     int64 `json:"duty_owed_cents"`
	DutyRatioBP       int64 `json:"duty_ratio_bp"`
	USUnits           int64 `json:"us_units"`
	USUnitsToDate     int64 `json:"us_units_to_date"`
	ChinaUnitsToDate  int64 `json:"china_units_to_date"`
	// CapUnits is the cap at the period's end; HeldUnitsAtEnd the China
	// units shipped or reserved then; CapHeadroom what was left.
	CapUnits       int64         `json:"cap_units"`
	HeldUnitsAtEnd int64         `json:"held_units_at_end"`
	CapHeadroom    int64         `json:"cap_headroom"`
	LostRevenue    []LostRevenue `json:"lost_revenue"`
	// USCustomers is the composition of USUnitsToDate, the cap's
	// denominator: the units (net of reversals) of each US customer and
	// end use, largest first.
	USCustomers []USCustomerUnits `json:"us_customers"`
}

// USCustomerUnits is one customer's US units for one end use. Shipments
// recorded before end uses were (schema 0013) show an empty EndUse.
type USCustomerUnits struct {
	Customer string `json:"customer"`
	EndUse   string `json:"end_use"`
	Units    int64  `json:"units"`
}

// LostRevenue is the revenue of the orders cancelled in a period for one
// reason: what they would have brought beyond what had already shipped.
type LostRevenue struct {
	Reason tollgate.CancelReason `json:"reason"`
	Orders int64                 `json:"orders"`
	Cents  int64                 `json:"cents"`
}

// Report returns one PeriodReport per product and period, products in the
// order given (sorted when found), periods in order. Periods must be
// non-empty and each end after it starts.
func Report(in ReportInput) ([]PeriodReport, error) {
	if err := in.Config.Validate(); err != nil {
		return nil, fmt.Errorf("shipping.Report: %w", prefixField("config.", err))
	}
	for i, p := range in.Periods {
		if p.From.IsZero() || !p.To.After(p.From) {
			return nil, fmt.Errorf("shipping.Report: %w", tollgate.FieldErrorf(fmt.Sprintf("periods[%d]", i), "must end after it starts"))
		}
	}
	products := in.Products
	if len(products) == 0 {
		products = in.products()
	}
	var out []PeriodReport
	for _, product := range products {
		product = tollgate.ProductKey(product)
		duty := newDutyIndex(in.ExporterOrgID, product, in.Imports)
		for _, p := range in.Periods {
			out = append(out, in.report(product, p, duty))
		}
	}
	return out, nil
}

// products returns every product in the exporter's records, sorted.
func (in ReportInput) products() []string {
	var ps []string
	for _, s := range in.Shipments {
		if s.ExporterOrgID == in.ExporterOrgID {
			ps = append(ps, s.Product)
		}
	}
	for _, e := range in.Exports {
		if e.ExporterOrgID == in.ExporterOrgID {
			ps = append(ps, e.Product)
		}
	}
	for _, o := range in.Orders {
		if o.ExporterOrgID == in.ExporterOrgID {
			ps = append(ps, o.Product)
		}
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

func (in ReportInput) report(product string, p Period, duty dutyIndex) PeriodReport {
	r := PeriodReport{ExporterOrgID: in.ExporterOrgID, Product: product,
		From: p.From.UTC().Format(time.DateOnly), To: p.To.UTC().Format(time.DateOnly)}
	last := p.To.Add(-time.Nanosecond)
	r.USUnitsToDate = USUnits(in.Shipments, in.ExporterOrgID, product, last)
	r.USUnits = r.USUnitsToDate - USUnits(in.Shipments, in.ExporterOrgID, product, p.From.Add(-time.Nanosecond))
	r.USCustomers = usComposition(in.Shipments, in.ExporterOrgID, product, last)
	shippedValue := map[string]int64{} // order id → value shipped, ever
	var inPeriod []tollgate.Export
	for _, e := range in.Exports {
		if e.ExporterOrgID != in.ExporterOrgID || e.Product != product {
			continue
		}
		if e.State == tollgate.ExportShipped {
			shippedValue[e.OrderID] += e.ValueCents
		}
		if !in.Config.capped(e.Destination) {
			continue
		}
		if heldAt(e, p.To) {
			r.HeldUnitsAtEnd += e.Units.Count
		}
		if e.State != tollgate.ExportShipped || !e.ExportedOn.Before(p.To) {
			continue
		}
		r.ChinaUnitsToDate += e.Units.Count
		if !e.ExportedOn.Before(p.From) {
			r.ChinaUnits += e.Units.Count
			r.ChinaRevenueCents += e.ValueCents
			inPeriod = append(inPeriod, e)
		}
	}
	r.DutyPaidCents, r.DutyOwedCents = duty.on(inPeriod)
	if r.ChinaRevenueCents > 0 {
		r.DutyRatioBP = mulDivRound(r.DutyPaidCents, 10000, r.ChinaRevenueCents)
	}
	r.CapUnits = CapUnits(r.USUnitsToDate, in.Config.CapBP)
	r.CapHeadroom = r.CapUnits - r.HeldUnitsAtEnd
	r.LostRevenue = in.lost(product, p, shippedValue)
	return r
}

// usComposition returns the units to date (through the instant through) of
// exporter's product by customer and end use, largest first, then by
// customer and end use; customers left with no units are omitted.
func usComposition(shipments []tollgate.DomesticShipment, exporter, product string, through time.Time) []USCustomerUnits {
	type key struct{ customer, endUse string }
	units := map[key]int64{}
	for i := range shipments {
		s := &shipments[i]
		if s.ExporterOrgID == exporter && s.Product == product && !s.ShippedOn.After(through) {
			units[key{s.Customer, s.EndUse}] += s.Units
		}
	}
	out := []USCustomerUnits{}
	for k, n := range units {
		if n != 0 {
			out = append(out, USCustomerUnits{Customer: k.customer, EndUse: k.endUse, Units: n})
		}
	}
	slices.SortFunc(out, func(a, b USCustomerUnits) int {
		switch {
		case a.Units != b.Units:
			return cmp.Compare(b.Units, a.Units)
		case a.Customer != b.Customer:
			return cmp.Compare(a.Customer, b.Customer)
		}
		return cmp.Compare(a.EndUse, b.EndUse)
	})
	return out
}

// heldAt reports whether e held its units at instant t: reserved before t
// and, at t, shipped or not yet released (voided, expired).
func heldAt(e tollgate.Export, t time.Time) bool {
	if !e.ReservedAt.Before(t) {
		return false
	}
	switch e.State {
	case tollgate.ExportShipped:
		return true
	case tollgate.ExportReserved:
		return t.Before(e.ExpiresAt)
	}
	return t.Before(e.ReleasedAt)
}

// lost sums, per reason, the revenue of the orders cancelled in p: their
// total less what had shipped on them.
func (in ReportInput) lost(product string, p Period, shipped map[string]int64) []LostRevenue {
	out := make([]LostRevenue, len(tollgate.CancelReasons))
	for i, reason := range tollgate.CancelReasons {
		out[i].Reason = reason
	}
	for _, o := range in.Orders {
		if o.ExporterOrgID != in.ExporterOrgID || o.Product != product || o.State != tollgate.OrderCancelled ||
			o.CancelledAt.Before(p.From) || !o.CancelledAt.Before(p.To) {
			continue
		}
		i := slices.Index(tollgate.CancelReasons, o.CancelReason)
		if i < 0 {
			continue
		}
		out[i].Orders++
		out[i].Cents += max(0, o.TotalCents()-shipped[o.ID])
	}
	return out
}

// mulDivRound returns a x b / c rounded half-up, without overflow in the
// product; c is positive and the result fits in an int64 for report sums.
func mulDivRound(a, b, c int64) int64 {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	n.Mul(n, big.NewInt(2))
	n.Add(n, big.NewInt(c))
	n.Quo(n, new(big.Int).Mul(big.NewInt(c), big.NewInt(2)))
	return n.Int64()
}

// entryDuty is the duty of a set of imported units: how many, and how much
// of their duty is paid and still owed.
type entryDuty struct {
	units, paid, owed int64
}

func (d *entryDuty) add(e *tollgate.ImportEntry) {
	d.units += e.Units.Count
	switch e.DutyStatus {
	case tollgate.DutyPaid:
		d.paid += e.DutyCents
	case tollgate.DutyOwed:
		d.owed += e.DutyCents
	}
}

// share returns the paid and owed duty on n of the units, rounded half-up.
func (d *entryDuty) share(n int64) (paid, owed int64) {
	if d.units == 0 {
		return 0, 0
	}
	return mulDivRound(d.paid, n, d.units), mulDivRound(d.owed, n, d.units)
}

// dutyIndex finds the duty paid on exported units: per import entry for
// serial-numbered units, and averaged over the lot's exportable (unbound)
// entries for units counted by lot.
type dutyIndex struct {
	serials map[string]*entryDuty
	lots    map[string]*entryDuty
}

func newDutyIndex(exporter, product string, imports []tollgate.ImportEntry) dutyIndex {
	idx := dutyIndex{serials: map[string]*entryDuty{}, lots: map[string]*entryDuty{}}
	for i := range imports {
		e := &imports[i]
		if e.ExporterOrgID != exporter || e.Product != product || e.Bound || e.Exemption != "" {
			continue
		}
		if e.Units.BySerial() {
			d := &entryDuty{}
			d.add(e)
			for _, s := range e.Units.Serials {
				idx.serials[s] = d
			}
			continue
		}
		if idx.lots[e.Units.Lot] == nil {
			idx.lots[e.Units.Lot] = &entryDuty{}
		}
		idx.lots[e.Units.Lot].add(e)
	}
	return idx
}

// on returns the duty paid and owed on the units of exports.
func (idx dutyIndex) on(exports []tollgate.Export) (paid, owed int64) {
	counts := map[*entryDuty]int64{}
	for _, e := range exports {
		if !e.Units.BySerial() {
			if d := idx.lots[e.Units.Lot]; d != nil {
				counts[d] += e.Units.Count
			}
			continue
		}
		for _, s := range e.Units.Serials {
			if d := idx.serials[s]; d != nil {
				counts[d]++
			}
		}
	}
	for d, n := range counts {
		p, o := d.share(n)
		paid, owed = paid+p, owed+o
	}
	return paid, owed
}
