package licensing_test

import (
	"fmt"
	"time"

	"tollgate"
	"tollgate/licensing"
)

// An event the state does not accept is refused with the events it would.
func ExampleTransition() {
	app := tollgate.Application{ApplicationReview: tollgate.ApplicationReview{
		State: tollgate.ApplicationSubmitted, ControlNumber: "Z000001",
		SubmittedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
	}}
	_, _, err := licensing.Transition(app, licensing.Event{
		Kind: licensing.EventRefer, Actor: "user-bis", At: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC),
		Agencies: []tollgate.ReviewAgency{tollgate.AgencyDefense},
	})
	fmt.Println(tollgate.ErrorCode(err))
	fmt.Println(tollgate.ErrorMessage(err))

	next, _, err := licensing.Transition(app, licensing.Event{
		Kind: licensing.EventAccept, Actor: "user-bis", At: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC),
	})
	fmt.Println(next.State, err)
	// Output:
	// conflict
	// cannot refer: the application is submitted; allowed events: accept, decide, withdraw
	// under_review <nil>
}

// Overdue lists the deadlines that have passed without the action they ask
// for, in calendar days.
func ExampleOverdue() {
	app := tollgate.Application{ApplicationReview: tollgate.ApplicationReview{
		State: tollgate.ApplicationUnderReview, ControlNumber: "Z000001",
		SubmittedAt: time.Date(2028, 2, 20, 16, 0, 0, 0, time.UTC),
	}}
	for _, d := range licensing.Overdue(app, time.Date(2028, 3, 3, 8, 0, 0, 0, time.UTC)) {
		fmt.Println(d.Kind, "due", d.Due.Format(time.DateOnly), "late by", d.DaysLate, "days")
	}
	// Output:
	// first_action due 2028-02-29 late by 3 days
}

// The control number is a pure function of the store's sequence.
func ExampleControlNumber() {
	for _, seq := range []uint64{1, 999_999, 1_000_000} {
		n, _ := licensing.ControlNumber(seq)
		fmt.Println(n)
	}
	l, _ := licensing.LicenseNumber(1)
	fmt.Println(l)
	// Output:
	// Z000001
	// Z999999
	// Y000001
	// D000001
}
