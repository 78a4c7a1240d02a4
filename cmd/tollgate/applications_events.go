package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"tollgate"
	"tollgate/licensing"
)

func newApplicationsEventsCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "events [APP]",
		Short: "Show the review's state machine, or the events an application allows now",
		Long: `Without APP, events prints every event of the review: who sends it, the states
it is allowed in and the states it leads to. With APP, it prints the
application's state, the events allowed in it and its deadlines.`,
		Example: `  tollgate applications events
  tollgate applications events APP`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				specs := licensing.EventSpecs()
				if asJSON {
					return writeJSON(c.stdout, specs)
				}
				tw := newTable(c.stdout, 0, 4, 2)
				fmt.Fprintln(tw, "EVENT\tSENT BY\tFROM\tTO")
				for _, s := range specs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Kind, s.Actor, joinStates(s.From), joinStates(s.To))
				}
				return tw.Flush()
			}
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				v, err := svc.Application(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, struct {
						State         tollgate.ApplicationState `json:"state"`
						AllowedEvents []licensing.EventKind     `json:"allowed_events"`
						Deadlines     []licensing.Deadline      `json:"deadlines"`
					}{v.State, v.AllowedEvents, v.Deadlines})
				}
				fmt.Fprintf(c.stdout, "%s is %s\n", v.ID, v.State)
				for _, k := range v.AllowedEvents {
					s, _ := licensing.Spec(k)
					fmt.Fprintf(c.stdout, "  %-17s (%s) %s\n", k, s.Actor, s.Summary)
				}
				for _, d := range v.Deadlines {
					fmt.Fprintf(c.stdout, "  %s\n", deadlineLine(d))
				}
				return nil
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func joinStates(states []tollgate.ApplicationState) string {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// eventFlags are the payload flags of tollgate applications event.
type eventFlags struct {
	text           string
	agencies       []string
	recommendation string
	reasons        []string
	conditions     []string
	decision       string
	asJSON         bool
}

func newApplicationsEventCmd(c *cli) *cobra.Command {
	var (
		db string
		f  eventFlags
	)
	cmd := &cobra.Command{
		Use:   "event APP KIND",
		Short: "Send a review event to an application (accept, request_info, refer, recommend, decide, …)",
		Long: `event sends one event of the review to the application, as the local user, in
one transaction: the state machine checks it, the application is stored and
the effects carried out (assignment to the agencies on referral, the license
on approval). KIND is one of ` + strings.Join(eventKindNames(), ", ") + `.
Payload by kind: request_info, respond, escalate and withdraw take --text;
refer takes --agency (repeatable); recommend takes --agency, --recommendation,
--reason and --condition; decide and committee_decide take --decision FILE
(JSON or YAML: outcome, items, conditions, license_number, valid_from,
valid_to, reasons). A decision's validity starts on or after its day and
lasts at most the configured years (4 by default).

After the Operating Committee: the chair's decision (committee_decide) can be
appealed for 5 days by an agency that dissented from it: appeal takes
--agency and --reason, and goes to ACEP, then EARB, then the President. The
licensing officer records each level's decision with appeal_decide
--decision FILE --text "its decision document"; ACEP and EARB decide within
11 days, and their decisions can be appealed in turn; the President's is
final. Without an appeal, finalize records that the decision stands once
its window has closed (tollgate serve's applications.finalize job does so by
itself); an approval then issues the license.`,
		Example: `  tollgate applications event APP accept
  tollgate applications event APP refer --agency DOD --agency STATE --agency DOE
  tollgate applications event APP recommend --agency DOD --recommendation approve --reason "end user vetted"
  tollgate applications event APP decide --decision approval.yaml
  tollgate applications event APP appeal --agency STATE --reason "remote access is not controlled"
  tollgate applications event APP appeal_decide --decision denial.yaml --text "ACEP decision of 2026-12-20"
  tollgate applications event APP finalize`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ev, err := c.eventOf(licensing.EventKind(args[1]), f)
			if err != nil {
				return err
			}
			app := args[0]
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				out, err := svc.Apply(ctx, app, ev, 0)
				if err != nil {
					return eventFlagError(err)
				}
				return c.printOutcome(out, f.asJSON)
			}, applicationRef("APP", &app))
		},
	}
	addDBFlag(cmd, &db)
	fl := cmd.Flags()
	fl.StringVar(&f.text, "text", "", "the question, the answer, the reason to escalate or to withdraw, or a level's decision document")
	fl.StringArrayVar(&f.agencies, "agency", nil, "DOD, STATE or DOE (repeatable for refer)")
	fl.StringVar(&f.recommendation, "recommendation", "", "approve, approve_with_conditions or deny")
	fl.StringArrayVar(&f.reasons, "reason", nil, "a reason for the recommendation or the appeal (repeatable)")
	fl.StringArrayVar(&f.conditions, "condition", nil, "a proposed condition (repeatable)")
	fl.StringVar(&f.decision, "decision", "", "the decision file, JSON or YAML (- for stdin)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	return cmd
}

func eventKindNames() []string {
	var names []string
	for _, k := range licensing.EventKinds() {
		names = append(names, string(k))
	}
	return names
}

// eventOf builds the event of kind from the flags.
func (c *cli) eventOf(kind licensing.EventKind, f eventFlags) (licensing.Event, error) {
	if _, ok := licensing.Spec(kind); !ok {
		return licensing.Event{}, usageErrorf("KIND: unknown event %q; events are %s", kind, strings.Join(eventKindNames(), ", "))
	}
	ev := licensing.Event{Kind: kind, Text: f.text, Reasons: f.reasons, Conditions: f.conditions,
		Recommendation: tollgate.RecommendationKind(f.recommendation)}
	for _, a := range f.agencies {
		ev.Agencies = append(ev.Agencies, tollgate.ReviewAgency(strings.ToUpper(a)))
	}
	if kind == licensing.EventRecommend || kind == licensing.EventAppeal {
		if len(ev.Agencies) > 1 {
			return ev, usageErrorf("--agency: %s names one agency", kind)
		}
		if len(ev.Agencies) == 1 {
			ev.Agency = ev.Agencies[0]
		} else if kind == licensing.EventRecommend {
			return ev, usageErrorf("--agency: recommend names exactly one agency")
		}
		ev.Agencies = nil
	}
	decides := kind == licensing.EventDecide || kind == licensing.EventCommitteeDecide || kind == licensing.EventAppealDecide
	switch {
	case decides && f.decision == "":
		return ev, usageErrorf("--decision: %s needs a decision file", kind)
	case !decides && f.decision != "":
		return ev, usageErrorf("--decision: only decide, committee_decide and appeal_decide take a decision")
	case decides:
		data, err := c.readInput(f.decision)
		if err != nil {
			return ev, err
		}
		if ev.Decision, err = licensing.ParseDecision(data); err != nil {
			return ev, usageErrorf("--decision: %s", tollgate.ErrorMessage(err))
		}
	}
	return ev, nil
}

// eventFlagError names the flag of an event's bad field.
func eventFlagError(err error) error {
	field := ""
	var te *tollgate.Error
	if errors.As(err, &te) {
		field, _, _ = strings.Cut(te.Field, "[")
	}
	flags := map[string]string{"text": "--text", "agencies": "--agency", "agency": "--agency",
		"recommendation": "--recommendation", "reasons": "--reason", "conditions": "--condition"}
	if flag, ok := flags[field]; ok {
		return usageErrorf("%s: %s", flag, te.Message)
	}
	if strings.HasPrefix(field, "decision") {
		return usageErrorf("--decision: %s", te.Error())
	}
	return err
}

func newApplicationsAgenciesCmd(c *cli) *cobra.Command {
	var (
		db     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "agencies",
		Short: "Show which organizations serve as BIS, DOD, STATE and DOE",
		Long: `agencies shows the agency organizations of the review: BIS, the licensing
agency, to which every submitted application is assigned, and DOD, STATE and
DOE, the reviewing agencies a case is referred to. Set them with
"agencies set" before the first submission.`,
		Example: `  tollgate applications agencies
  tollgate applications agencies set BIS 01a2…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				orgs, err := svc.AgencyOrgs(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.stdout, orgs)
				}
				codes := make([]string, 0, len(orgs))
				for code := range orgs {
					codes = append(codes, code)
				}
				sort.Slice(codes, func(i, j int) bool { return agencyRank(codes[i]) < agencyRank(codes[j]) })
				for _, code := range codes {
					fmt.Fprintf(c.stdout, "%s\t%s\n", code, orgs[code])
				}
				return nil
			})
		},
	}
	addDBFlag(cmd, &db)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	set := &cobra.Command{
		Use:     "set CODE ORG",
		Short:   "Set the agency organization serving as CODE (BIS, DOD, STATE or DOE)",
		Example: `  tollgate applications agencies set DOD 01a2…`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withLicensing(cmd.Context(), db, func(ctx context.Context, svc *licensing.Service) error {
				if err := svc.SetAgencyOrg(ctx, args[0], args[1]); err != nil {
					return err
				}
				_, err := fmt.Fprintf(c.stdout, "%s\t%s\n", strings.ToUpper(args[0]), args[1])
				return err
			})
		},
	}
	addDBFlag(set, &db)
	cmd.AddCommand(set)
	return cmd
}

func agencyRank(code string) int {
	return slices.Index([]string{"BIS", "DOD", "STATE", "DOE"}, code)
}
