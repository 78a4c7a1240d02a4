package api

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServerAnswersAreProblems sends what the API's routes never see (an
// unknown route, a wrong method, oversized headers at both limits, a
// malformed request) to a real server over TCP, with ProblemListener and
// the MaxHeaderBytes tollgate serve uses: every answer is a problem
// document with the right status.
func TestServerAnswersAreProblems(t *testing.T) {
	env := newTestEnv(t)
	srv := httptest.NewUnstartedServer(env.handler)
	srv.Listener = ProblemListener(srv.Listener)
	srv.Config.MaxHeaderBytes = HTTPServerMaxHeaderBytes(Limits{})
	srv.Start()
	defer srv.Close()
	big := func(n int) string { return "X-Padding: " + strings.Repeat("a", n) + "\r\n" }
	tests := []struct {
		name, raw string
		status    int
	}{
		{"UnknownRoute", "GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusNotFound},
		{"WrongMethod", "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusMethodNotAllowed},
		{"HeadersOverTheAPILimit", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + big(DefaultMaxHeaderBytes) + "\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"HeadersOverNetHTTPLimit", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + big(5*DefaultMaxHeaderBytes) + "\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"MalformedRequest", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", http.StatusBadRequest},
		{"NoHost", "GET /healthz HTTP/1.1\r\n\r\n", http.StatusBadRequest},
		{"UnknownTransferEncoding", "POST /v1/screen HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", http.StatusNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// The server may hang up before it has read all of a large request.
			go func() { _, _ = io.WriteString(conn, tt.raw) }()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p Problem
			body, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("body is not a problem document: %v: %q", err, body)
			}
			if resp.StatusCode != tt.status || p.Status != tt.status || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %d (problem %d, %s), want %d as application/problem+json", resp.StatusCode, p.Status, resp.Header.Get("Content-Type"), tt.status)
			}
			if p.Code == "" || p.Type == "" || p.Detail == "" {
				t.Errorf("incomplete problem: %+v", p)
			}
		})
	}
}

// FuzzRewriteNetHTTPError checks that the rewrite never panics and turns
// only net/http's own error answers into problem answers.
func FuzzRewriteNetHTTPError(f *testing.F) {
	f.Add([]byte("HTTP/1.1 431 Request Header Fields Too Large" + netHTTPErrorHeaders + "431 Request Header Fields Too Large"))
	f.Add([]byte("HTTP/1.1 400 Bad Request: missing required Host header" + netHTTPErrorHeaders + "400 Bad Request: missing required Host header"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.1 4" + netHTTPErrorHeaders))
	f.Fuzz(func(t *testing.T, p []byte) {
		out, ok := rewriteNetHTTPError(p)
		if !ok {
			return
		}
		if !strings.Contains(string(p), netHTTPErrorHeaders) {
			t.Fatalf("rewrote %q, which is not one of net/http's error answers", p)
		}
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(out))), nil)
		if err != nil {
			t.Fatalf("rewrite of %q is not an HTTP response: %v", p, err)
		}
		var doc Problem
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Status != resp.StatusCode {
			t.Fatalf("rewrite of %q: problem %+v, %v", p, doc, err)
		}
	})
}
