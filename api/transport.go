package api

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"

	"tollgate"
)

// DefaultMaxHeaderBytes is the most bytes of request line and headers the
// API serves; a request with more is answered 431 with a problem document.
const DefaultMaxHeaderBytes = 64 << 10

// HTTPServerMaxHeaderBytes is what an http.Server in front of the API
// should set as its MaxHeaderBytes for limits l: well above l's own limit,
// so that an oversized request still reaches the API, which answers it
// with a problem document rather than net/http's plain text. What is even
// larger is cut off by net/http itself; ProblemListener rewrites that
// answer.
func HTTPServerMaxHeaderBytes(l Limits) int {
	return 4 * l.withDefaults().MaxHeaderBytes
}

// headerBytes counts the bytes of r's request line and headers as they
// came on the wire (near enough: names, values and separators).
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len(r.Host) + 8
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// checkHeaderBytes refuses a request whose headers exceed the limit.
func (s *server) checkHeaderBytes(r *http.Request) error {
	if n := headerBytes(r); n > s.limits.MaxHeaderBytes {
		return &transportError{status: http.StatusRequestHeaderFieldsTooLarge, code: tollgate.EINVALID,
			msg: "request headers of " + strconv.Itoa(n) + " bytes are larger than " + strconv.Itoa(s.limits.MaxHeaderBytes)}
	}
	return nil
}

// ProblemListener wraps ln so that the answers net/http writes on its own,
// before any handler runs (431 for headers beyond http.Server's
// MaxHeaderBytes, 400 for a malformed request, 501 for an unknown transfer
// encoding), go out as RFC 9457 problem documents like every other answer
// of the API. It must be the listener the http.Server reads plain HTTP
// from: under TLS, wrap the listener that tls.NewListener returns, not the
// one beneath it.
func ProblemListener(ln net.Listener) net.Listener { return &problemListener{Listener: ln} }

type problemListener struct{ net.Listener }

func (l *problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: c}, nil
}

// problemConn rewrites net/http's own error answers. net/http writes each
// in one call, straight to the connection, in the form
// "HTTP/1.1 <status> <text>" + netHTTPErrorHeaders + <body>, and closes
// the connection after it.
type problemConn struct{ net.Conn }

// netHTTPErrorHeaders are the headers net/http's own error answers carry
// (net/http server.go, errorHeaders).
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *problemConn) Write(p []byte) (int, error) {
	if out, ok := rewriteNetHTTPError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// rewriteNetHTTPError returns the problem answer for p when p is one of
// net/http's own plain-text error answers.
func rewriteNetHTTPError(p []byte) ([]byte, bool) {
	head, body, ok := bytes.Cut(p, []byte(netHTTPErrorHeaders))
	if !ok || !bytes.HasPrefix(head, []byte("HTTP/1.1 ")) || bytes.ContainsAny(head, "\r\n") {
		return nil, false
	}
	status, err := strconv.Atoi(string(head[len("HTTP/1.1 ") : len("HTTP/1.1 ")+min(3, len(head)-len("HTTP/1.1 "))]))
	if err != nil || status < 400 || status > 599 {
		return nil, false
	}
	code := tollgate.EINVALID
	if status >= 500 {
		code = tollgate.EUNAVAILABLE
	}
	detail := string(body)
	if _, rest, ok := strings.Cut(detail, " "); ok && strings.HasPrefix(detail, strconv.Itoa(status)) {
		detail = rest
	}
	if status == http.StatusRequestHeaderFieldsTooLarge {
		detail = "request headers are too large"
	}
	doc, err := json.Marshal(Problem{Type: problemTypePrefix + code, Title: http.StatusText(status), Status: status,
		Detail: detail, Code: code})
	if err != nil {
		return nil, false
	}
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	out.WriteString("Content-Type: application/problem+json\r\n")
	out.WriteString("Content-Length: " + strconv.Itoa(len(doc)+1) + "\r\n")
	out.WriteString("X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n")
	out.Write(doc)
	out.WriteByte('\n')
	return out.Bytes(), true
}
