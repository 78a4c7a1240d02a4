package api

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"tollgate"
	"tollgate/api/apitest"
)

const internalList = `name,aliases,type,country,citation,id
Shady Chips Trading Ltd.,Shady Chips,organization,HK,90 FR 12345,INT-1
Ivan Petrovich Sidorov,,person,RU,90 FR 12346,INT-2
`

func TestLists(t *testing.T) { apitest.ForEachBackend(t, testLists) }

func testLists(t *testing.T, dsn string) {
	env := newTestEnvDSN(t, dsn)
	v1 := env.importEntities("test", testEntities)

	t.Run("Import", func(t *testing.T) {
		res := must[ListImportResult](env, request{method: "POST", path: "/v1/lists/import",
			body: ListImportInput{FileName: "internal.csv", Content: internalList}}, http.StatusCreated)
		if !res.Created || res.Version.Source != "internal" || res.Version.EntityCount != 2 || res.Version.Counts["INTERNAL"] != 2 {
			t.Fatalf("import: %+v", res.Version)
		}
		// The same bytes, base64 this time: a no-op.
		again := must[ListImportResult](env, request{method: "POST", path: "/v1/lists/import", body: ListImportInput{
			FileName: "internal.csv", ContentBase64: base64.StdEncoding.EncodeToString([]byte(internalList))}}, http.StatusOK)
		if again.Created || again.Version.ID != res.Version.ID {
			t.Errorf("re-import: created %v, id %s, want the first version %s", again.Created, again.Version.ID, res.Version.ID)
		}
	})
	t.Run("ErrImport", func(t *testing.T) {
		tests := []struct {
			in    ListImportInput
			field string
		}{
			{ListImportInput{FileName: "../x.csv", Content: "a"}, "file_name"},
			{ListImportInput{FileName: "x.csv"}, "content"},
			{ListImportInput{FileName: "x.csv", Content: "a", ContentBase64: "YQ=="}, "content"},
			{ListImportInput{FileName: "x.csv", ContentBase64: "%%%"}, "content_base64"},
		}
		for _, tt := range tests {
			p := env.problem(request{method: "POST", path: "/v1/lists/import", body: tt.in}, http.StatusBadRequest)
			if p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		}
		p := env.problem(request{method: "POST", path: "/v1/lists/import",
			body: ListImportInput{FileName: "notes.txt", Content: "just some words\n"}}, http.StatusBadRequest)
		if strings.Contains(p.Detail, "tollgate-import-") {
			t.Errorf("detail leaks the server's temporary path: %s", p.Detail)
		}
	})
	t.Run("Versions", func(t *testing.T) {
		all := must[Page[tollgate.ListVersion]](env, request{method: "GET", path: "/v1/lists"}, http.StatusOK)
		if len(all.Items) != 2 {
			t.Fatalf("%d versions, want 2", len(all.Items))
		}
		cur := must[Page[tollgate.ListVersion]](env, request{method: "GET", path: "/v1/lists?current=true&source=test"}, http.StatusOK)
		if len(cur.Items) != 1 || cur.Items[0].ID != v1.ID || !cur.Items[0].Current {
			t.Errorf("current test versions: %+v", cur.Items)
		}
		env.problem(request{method: "GET", path: "/v1/lists?current=true&cursor=abc"}, http.StatusBadRequest)
		got := must[tollgate.ListVersion](env, request{method: "GET", path: "/v1/lists/" + v1.ID}, http.StatusOK)
		if got.Digest != v1.Digest {
			t.Errorf("version digest %s, want %s", got.Digest, v1.Digest)
		}
		env.problem(request{method: "GET", path: "/v1/lists/0192f1e2-0000-7000-8000-000000000000"}, http.StatusNotFound)
	})
	t.Run("Entries", func(t *testing.T) {
		es := must[Page[tollgate.ListEntry]](env, request{method: "GET", path: "/v1/lists/" + v1.ID + "/entries?list=EL&limit=1"}, http.StatusOK)
		if len(es.Items) != 1 || es.NextCursor == "" || es.Items[0].SourceID != "el-1" {
			t.Fatalf("entries: %+v", es)
		}
		rest := must[Page[tollgate.ListEntry]](env, request{method: "GET", path: "/v1/lists/" + v1.ID + "/entries?list=EL&limit=1&cursor=" + es.NextCursor}, http.StatusOK)
		if len(rest.Items) != 1 || rest.Items[0].SourceID != "el-2" {
			t.Errorf("second page: %+v", rest.Items)
		}
	})
	t.Run("MovesForward", func(t *testing.T) {
		file := func(date, name string) ListImportInput {
			return ListImportInput{FileName: "forward-" + date + ".csv",
				Content: "name,aliases,type,country,citation,id\n" + name + ",,organization,CN,," + date + "\n"}
		}
		newer := must[ListImportResult](env, request{method: "POST", path: "/v1/lists/import", body: file("2030-05-03", "Newer Co.")}, http.StatusCreated)
		p := env.problem(request{method: "POST", path: "/v1/lists/import", body: file("2029-07-01", "Older Co.")}, http.StatusConflict)
		for _, want := range []string{"2029-07-01", "2030-05-03", "allow_older"} {
			if !strings.Contains(p.Detail, want) {
				t.Errorf("refusal %q does not name %s", p.Detail, want)
			}
		}
		older := file("2029-07-01", "Older Co.")
		older.Reason = "why not"
		if p := env.problem(request{method: "POST", path: "/v1/lists/import", body: older}, http.StatusBadRequest); p.Field != "reason" {
			t.Errorf("reason without allow_older: field %q", p.Field)
		}
		older.AllowOlder, older.Reason = true, ""
		if p := env.problem(request{method: "POST", path: "/v1/lists/import", body: older}, http.StatusBadRequest); p.Field != "reason" {
			t.Errorf("allow_older without a reason: field %q", p.Field)
		}
		older.Reason = "the 2030 list was withdrawn"
		res := must[ListImportResult](env, request{method: "POST", path: "/v1/lists/import", body: older}, http.StatusCreated)
		if !res.Created || !res.Version.Current || res.Replaced == nil || res.Replaced.ID != newer.Version.ID {
			t.Errorf("allowed older import: %+v, want it current, replacing %s", res, newer.Version.ID)
		}
	})
}
