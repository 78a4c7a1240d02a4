package auditlog_test

import (
	"context"
	"fmt"
	"time"

	"tollgate/auditlog"
	"tollgate/auditlog/audittest"
)

// A use case appends its record inside its own transaction; later anyone
// holding a signed checkpoint can check that the record is in the log.
func Example() {
	ctx := context.Background()
	st := audittest.NewMemStore() // a SQL store in production
	key, err := auditlog.GenerateKey(nil, "tollgate.example")
	if err != nil {
		panic(err)
	}

	after, _ := auditlog.Digest(map[string]any{"number": "D123456", "units": 500})
	var entries []auditlog.Entry
	err = st.InTx(ctx, func(tx auditlog.TxStore) error {
		// ... the use case's own writes go here, in the same transaction ...
		entries, err = auditlog.Append(ctx, tx, auditlog.Record{
			Time:       time.Date(2026, 2, 2, 15, 4, 5, 0, time.UTC),
			Actor:      auditlog.Actor{UserID: "u-17", OrgID: "bis"},
			Action:     "license.issue",
			ObjectType: "license",
			ObjectID:   "D123456",
			After:      after,
		})
		return err
	})
	if err != nil {
		panic(err)
	}

	cp, _ := auditlog.NewCheckpoint(ctx, st, key.Name(), 1)
	signed, _ := key.Sign(cp)
	known, _ := auditlog.ParseVerifierKeys(key.VerifierKey())
	opened, _, err := auditlog.OpenCheckpoint(signed, known)
	fmt.Println("checkpoint:", opened.Origin, opened.Size, err)

	p, _ := auditlog.ProveRecord(ctx, st, opened.Size, entries[0].Record.Seq)
	fmt.Println("record 0 included:", auditlog.CheckRecord(p, opened, entries[0].LeafHash) == nil)
	// Output:
	// checkpoint: tollgate.example 1 <nil>
	// record 0 included: true
}
