package demo

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/catalog"
	"tollgate/classify"
	"tollgate/licensing"
	"tollgate/screening"
	"tollgate/shipping"
	"tollgate/store"
)

// play is one run of the story: the services it goes through, the cast
// and the objects it made, and the result it builds.
type play struct {
	opts  Options
	db    *store.DB
	clock *Clock

	rules     *classify.Rulebook
	catalog   *catalog.Catalog
	screening *screening.Service
	licensing *licensing.Service
	shipping  *shipping.Service
	// productID is the product's identity (the catalog's model as a
	// product key), under which applications, licenses and caps count it.
	productID string
	// shippingRules are the agency's lab review rules the shipping
	// service applies, which the lab's judgments follow.
	shippingRules shipping.ReviewRules

	cast    cast
	labKey  ed25519.PrivateKey
	parties map[string]*tollgate.Party             // by customer key
	apps    map[string]*tollgate.Application       // by customer key
	orders  map[string]*tollgate.Order             // by order reference
	imports map[string]*tollgate.ImportEntry       // by lot
	license map[string]*licensing.LicenseView      // by customer key
	real    bool                                   // real lists were imported
	counts  struct{ capRefusals, prcRefusals int } // refusals seen

	res Result
}

func newPlay(opts Options) (*play, error) {
	p := &play{
		opts: opts, db: opts.DB, clock: opts.Clock,
		rules: Rules(), catalog: catalog.Default(),
		parties: map[string]*tollgate.Party{}, apps: map[string]*tollgate.Application{},
		orders: map[string]*tollgate.Order{}, imports: map[string]*tollgate.ImportEntry{},
		license: map[string]*licensing.LicenseView{},
	}
	p.screening = screening.New(p.db, opts.Log, screening.DefaultConfig())
	var err error
	p.licensing, err = licensing.NewService(p.db, licensing.ServiceConfig{
		Config: licensing.DefaultConfig(), Rules: p.rules, Catalog: p.catalog, Authorize: authorize,
	})
	if err != nil {
		return nil, err
	}
	if p.productID, err = p.catalog.Product(product); err != nil {
		return nil, err
	}
	cfg := shipping.DefaultConfig()
	p.shippingRules = cfg.Review
	p.shipping, err = shipping.NewService(p.db, p.rules, p.spec, cfg)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Rules returns the rulebook the demo plays by: tollgate's default, with
// the H200 rule applied from its announcement (8 Dec 2025) instead of its
// effective date (15 Jan 2026), and saying so in its ID and citation. BIS
// reviewed the first H200 applications under the announced policy — it
// referred them on 19 Dec 2025 — before the rule was published.
func Rules() *classify.Rulebook {
	rb := classify.Default()
	for i := range rb.CaseByCase {
		r := &rb.CaseByCase[i].Rule
		if r.ID != "h200-rule-2026" {
			continue
		}
		r.ID += "-as-announced"
		r.Effective = announced
		r.Citation += "; applied by tollgate demo from the President's announcement of 8 Dec 2025, " +
			"as BIS did when it referred the first applications on 19 Dec 2025 (regime.md §1, §4), not from 15 Jan 2026"
	}
	return rb
}

// authorize is the licensing service's Authorizer: package auth's policy,
// as the API applies it.
func authorize(p *tollgate.Principal, perm string, own licensing.Ownership) error {
	return auth.Authorize(p, perm, auth.Ownership{OrgID: own.OrgID, AssignedOrgIDs: own.AssignedOrgIDs})
}

// spec is the shipping service's source of product specifications: the
// chip catalog.
func (p *play) spec(product string) (tollgate.Chip, error) {
	return p.catalog.Lookup(product)
}

// at moves the clock to a story time given as "2006-01-02 15:04" (UTC).
func (p *play) at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic("demo: bad story time " + s) // the story's own data
	}
	p.clock.Set(t)
	return t
}

// as returns ctx acting for u, after checking that the policy lets u do
// perm to an object with ownership own: each step is done by the user
// whose part it is, and the demo proves the policy allows it.
func (p *play) as(ctx context.Context, u *member, perm string, own auth.Ownership) (context.Context, error) {
	if err := auth.Authorize(u.principal, perm, own); err != nil {
		return nil, fmt.Errorf("%s may not %s: %w", u.user.Email, perm, err)
	}
	return tollgate.WithPrincipal(ctx, u.principal), nil
}

// tell records an event of act at the clock's time.
func (p *play) tell(act, format string, args ...any) {
	ev := Event{At: p.clock.Now(), Act: act, Text: fmt.Sprintf(format, args...)}
	p.res.Events = append(p.res.Events, ev)
	if p.opts.Narrate != nil {
		p.opts.Narrate(ev)
	}
}

// step wraps the error of a named step.
func step(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// thousands writes n with comma separators.
func thousands(n int64) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatEvent renders an event as one line of the narrative: its story
// date, then what happened.
func FormatEvent(e Event) string {
	return e.At.Format(time.DateOnly) + "  " + e.Text
}

// WriteText writes the whole story: every event, then the summary.
func (r *Result) WriteText(w io.Writer) error {
	for _, e := range r.Events {
		if _, err := fmt.Fprintln(w, FormatEvent(e)); err != nil {
			return err
		}
	}
	return WriteSummary(w, r.Figures)
}

// WriteSummary writes the final figures and the login tokens.
func WriteSummary(w io.Writer, f Figures) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nFigures, as the services report them on 31 Mar 2026:\n")
	fmt.Fprintf(tw, "  licenses issued\t%d\n", f.LicensesIssued)
	for _, l := range f.Licenses {
		fmt.Fprintf(tw, "  \t%s  %s, %s units, %s, %s\n", l.Number, l.Customer, thousands(l.Quantity), tollgate.FormatCents(l.ValueCents), plural(len(l.Conditions), "condition"))
	}
	var apps []string
	for _, a := range f.Applications {
		apps = append(apps, fmt.Sprintf("%s %s", a.ControlNumber, strings.ReplaceAll(a.State, "_", " ")))
	}
	fmt.Fprintf(tw, "  applications\t%s\n", strings.Join(apps, ", "))
	fmt.Fprintf(tw, "  US units shipped\t%s\n", thousands(f.USUnitsShipped))
	fmt.Fprintf(tw, "  China units shipped\t%s (50%% cap %s, headroom %s)\n", thousands(f.ChinaUnitsShipped), thousands(f.CapUnits), thousands(f.CapHeadroom))
	fmt.Fprintf(tw, "  refused reservations\t%d by the 50%% cap, %d for the PRC status\n", f.CapRefusals, f.PRCRefusals)
	fmt.Fprintf(tw, "  Section 232 (%s)\tentered value %s, duty paid %s (%s%%)\n", f.H200.Heading, tollgate.FormatCents(f.EnteredValueCents), tollgate.FormatCents(f.DutyPaidCents), percent(f.DutyRateBP))
	fmt.Fprintf(tw, "  China revenue\t%s (the duty on the units exported is %s%% of it)\n", tollgate.FormatCents(f.RevenueCents), percent(f.DutyShareBP))
	fmt.Fprintf(tw, "  lost revenue\t%s\n", lostSummary(f.LostRevenueCents))
	for i, b := range f.BlockedParties {
		label := ""
		if i == 0 {
			label = "blocked parties"
		}
		fmt.Fprintf(tw, "  %s\t%s: %s %s %q, %s\n", label, b.Name, b.List, b.SourceID, b.ListedName, b.Citation)
	}
	a := f.Audit
	fmt.Fprintf(tw, "  audit log\t%s records, checkpoint of size %d, bundle %s verified: %t\n", thousands(a.Records), a.CheckpointSize, a.Bundle, a.Verified)
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeLogins(w, f.Logins)
}

// writeLogins writes the login tokens, one line per user.
func writeLogins(w io.Writer, logins []Login) error {
	if len(logins) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nLog in with one of these API tokens (Authorization: Bearer TOKEN), valid until %s:\n",
		logins[0].ExpiresAt.Format(time.DateOnly))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", roleLabel(l.Role), l.Email, l.Org, l.Token)
	}
	return tw.Flush()
}

func roleLabel(r tollgate.Role) string { return strings.ReplaceAll(string(r), "_", " ") }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
