package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"tollgate/api"
	"tollgate/api/apitest"
)

// TestServeOversizedHeaders checks the wiring of tollgate serve: headers
// over the API's limit and over net/http's own are both answered 431 with
// a problem document.
func TestServeOversizedHeaders(t *testing.T) {
	base, _, stop := startServe(t, apitest.SQLiteDSN(t))
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	for _, n := range []int{api.DefaultMaxHeaderBytes + 1, 8 * api.DefaultMaxHeaderBytes} {
		req, err := http.NewRequest("GET", base+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Padding", strings.Repeat("a", n))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p api.Problem
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(body, &p) != nil || p.Status != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("%d bytes of headers: %d %s %q", n, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}
