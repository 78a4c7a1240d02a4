package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate/screening"
	"tollgate/store"
)

func TestListsIndexAndServeLoad(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"TOLLGATE_DATA": data}
	list := internalListCSV(t, "Example Chips Co.,ECC;Example Chip,organization,CN,88 FR 71991,INT-1\n"+
		"Moore Example Technology,,organization,CN,88 FR 71991,INT-2\n")
	if out, errOut, code := storeCLI(t, env, "lists", "import", list); code != 0 {
		t.Fatalf("import: code %d\n%s\n%s", code, out, errOut)
	}
	path := filepath.Join(t.TempDir(), "screen.index")
	out, errOut, code := storeCLI(t, env, "lists", "index", "--out", path, "--json")
	if code != 0 {
		t.Fatalf("lists index: code %d\n%s\n%s", code, out, errOut)
	}
	var rep listsIndexReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("lists index --json: %v\n%s", err, out)
	}
	if rep.Entities != 2 || rep.Bytes == 0 || len(rep.Versions) != 1 {
		t.Errorf("report %+v, want 2 entities in one version and a file", rep)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(data, "tollgate.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	load := func(path string) (string, *screening.Service) {
		var logs bytes.Buffer
		svc := screening.New(db, slog.New(slog.NewTextHandler(&logs, nil)), screening.DefaultConfig())
		loadSavedIndex(ctx, svc, path, slog.New(slog.NewTextHandler(&logs, nil)))
		return logs.String(), svc
	}

	t.Run("OK", func(t *testing.T) {
		logs, svc := load(path)
		if !strings.Contains(logs, "screening index loaded") || strings.Contains(logs, "level=WARN") {
			t.Fatalf("logs:\n%s", logs)
		}
		res, err := svc.ScreenNames(ctx, []screening.NameQuery{{Name: "Example Chips Company"}}, screening.NamesOptions{})
		if err != nil || len(res.Results[0].Hits) == 0 {
			t.Fatalf("ScreenNames with the loaded index: %+v, %v", res, err)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		logs, _ := load(filepath.Join(t.TempDir(), "none"))
		if !strings.Contains(logs, "saved screening index not used") {
			t.Fatalf("logs:\n%s", logs)
		}
	})
	t.Run("ErrIndexMismatch", func(t *testing.T) {
		newer := internalListCSV(t, "Another Example Co.,,organization,CN,88 FR 71991,INT-3\n")
		if out, errOut, code := storeCLI(t, env, "lists", "import", newer); code != 0 {
			t.Fatalf("import: code %d\n%s\n%s", code, out, errOut)
		}
		logs, svc := load(path)
		if !strings.Contains(logs, "saved screening index not used") || !strings.Contains(logs, "does not match") {
			t.Fatalf("logs:\n%s", logs)
		}
		sn, err := svc.Current(ctx)
		if err != nil || sn.Index.Len() != 1 {
			t.Fatalf("index after refusing the saved one: %v, %v; want the new version's 1 entity", sn, err)
		}
	})
	t.Run("Usage", func(t *testing.T) {
		if _, _, code := storeCLI(t, env, "lists", "index"); code == 0 {
			t.Error("lists index without --out succeeded")
		}
		if left, _ := filepath.Glob(path + ".tmp*"); len(left) > 0 {
			t.Errorf("temporary files left behind: %v", left)
		}
	})
}
