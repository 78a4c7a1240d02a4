package screening

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"testing"

	"tollgate/api/apitest"
	"tollgate/screen"
)

func TestSavedIndex(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, apitest.SQLiteDSN(t))
	f.importList("csl", listed[:2])
	f.importList("ofac", listed[2:])
	var saved bytes.Buffer
	sn, err := f.svc.SaveIndex(ctx, &saved)
	if err != nil {
		t.Fatalf("SaveIndex: %v", err)
	}
	queries := []NameQuery{{Name: "Huawei Technologies"}, {Name: "Moore Threads"}, {Name: "Ivan Petrov"}, {Name: "Anna Karenina"}}
	want, err := f.svc.ScreenNames(ctx, queries, NamesOptions{Explain: true})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		svc := New(f.db, slog.New(slog.DiscardHandler), DefaultConfig())
		loaded, err := svc.LoadIndex(ctx, bytes.NewReader(saved.Bytes()))
		if err != nil {
			t.Fatalf("LoadIndex: %v", err)
		}
		if !reflect.DeepEqual(loaded.VersionIDs(), sn.VersionIDs()) {
			t.Errorf("loaded versions %v, want %v", loaded.VersionIDs(), sn.VersionIDs())
		}
		got, err := svc.ScreenNames(ctx, queries, NamesOptions{Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ScreenNames after loading =\n%+v\nwant\n%+v", got, want)
		}
		if cur, _ := svc.Current(ctx); cur != loaded {
			t.Error("Current rebuilt the index instead of using the loaded one")
		}
	})

	t.Run("ErrIndexMismatch", func(t *testing.T) {
		// A newer version of one list: the saved index is refused, and the
		// service builds the index of the new versions.
		f.importList("ofac", listed[1:])
		svc := New(f.db, slog.New(slog.DiscardHandler), DefaultConfig())
		if _, err := svc.LoadIndex(ctx, bytes.NewReader(saved.Bytes())); !errors.Is(err, screen.ErrIndexMismatch) {
			t.Fatalf("LoadIndex after a new list version: %v, want ErrIndexMismatch", err)
		}
		cur, err := svc.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Index.Len() != 4 {
			t.Errorf("rebuilt index has %d entities, want 4", cur.Index.Len())
		}
	})
}
