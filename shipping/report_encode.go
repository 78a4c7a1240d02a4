package shipping

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"tollgate"
)

// CSVHeader is the header row WriteCSV writes: the PeriodReport fields, then
// the orders and cents lost for each cancellation reason, then the US units'
// composition ("customer (end use): units", joined by "; ").
func CSVHeader() []string {
	h := []string{
		"exporter_org_id", "product", "from", "to",
		"china_units", "china_revenue_cents", "duty_paid_cents", "duty_owed_cents", "duty_ratio_bp",
		"us_units", "us_units_to_date", "china_units_to_date",
		"cap_units", "held_units_at_end", "cap_headroom",
	}
	for _, r := range tollgate.CancelReasons {
		h = append(h, "lost_"+string(r)+"_orders", "lost_"+string(r)+"_cents")
	}
	return append(h, "us_customers")
}

// WriteCSV writes reports as CSV (RFC 4180): CSVHeader, then one row per
// report. Money is in integer cents and ratios in basis points, so that a
// spreadsheet sums them exactly.
func WriteCSV(w io.Writer, reports []PeriodReport) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return fmt.Errorf("shipping.WriteCSV: %w", err)
	}
	for _, r := range reports {
		if err := cw.Write(csvRow(r)); err != nil {
			return fmt.Errorf("shipping.WriteCSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("shipping.WriteCSV: %w", err)
	}
	return nil
}

func csvRow(r PeriodReport) []string {
	row := []string{r.ExporterOrgID, r.Product, r.From, r.To}
	for _, n := range []int64{
		r.ChinaUnits, r.ChinaRevenueCents, r.DutyPaidCents, r.DutyOwedCents, r.DutyRatioBP,
		r.USUnits, r.USUnitsToDate, r.ChinaUnitsToDate,
		r.CapUnits, r.HeldUnitsAtEnd, r.CapHeadroom,
	} {
		row = append(row, strconv.FormatInt(n, 10))
	}
	for _, reason := range tollgate.CancelReasons {
		var orders, cents int64
		for _, l := range r.LostRevenue {
			if l.Reason == reason {
				orders, cents = l.Orders, l.Cents
			}
		}
		row = append(row, strconv.FormatInt(orders, 10), strconv.FormatInt(cents, 10))
	}
	customers := make([]string, len(r.USCustomers))
	for i, c := range r.USCustomers {
		customers[i] = fmt.Sprintf("%s (%s): %d", c.Customer, cmp.Or(c.EndUse, "end use not stated"), c.Units)
	}
	return append(row, strings.Join(customers, "; "))
}

// WriteJSON writes reports as an indented JSON object {"reports": [...]}
// followed by a newline; an empty list is written as [] rather than null.
func WriteJSON(w io.Writer, reports []PeriodReport) error {
	if reports == nil {
		reports = []PeriodReport{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Reports []PeriodReport `json:"reports"`
	}{reports}); err != nil {
		return fmt.Errorf("shipping.WriteJSON: %w", err)
	}
	return nil
}
