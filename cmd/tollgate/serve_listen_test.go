package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tollgate/api/apitest"
)

// selfSignedCert writes a self-signed certificate for 127.0.0.1 and its
// key into dir and returns their paths and a pool trusting the certificate.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "tollgate test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS serves the API over HTTPS with a self-signed certificate:
// a client trusting it gets answers with HSTS and the security headers,
// a plain-HTTP request to the port is refused, and the metrics are on
// their own plain listener, not on the API's.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t, t.TempDir())
	p := startServeWith(t, apitest.SQLiteDSN(t), "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(p.base, "https://") {
		t.Fatalf("serve printed %q, want an https:// address", p.base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(p.base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over TLS: %v", err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{
		"Strict-Transport-Security": "max-age=63072000",
		"Content-Security-Policy":   "default-src 'self'; frame-ancestors 'none'",
		"Referrer-Policy":           "no-referrer",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	plain := "http://" + strings.TrimPrefix(p.base, "https://")
	if resp, err := http.Get(plain + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP to the TLS port answered 200")
		}
	}
	checkMetricsListener(t, client, p)
}

// TestServeMetricsListener checks that without TLS too the API's listener
// serves no metrics and the metrics listener does.
func TestServeMetricsListener(t *testing.T) {
	p := startServeWith(t, apitest.SQLiteDSN(t))
	checkMetricsListener(t, http.DefaultClient, p)
}

// checkMetricsListener checks that p's API answers /metrics with 404 and
// its metrics listener serves them.
func checkMetricsListener(t *testing.T, api *http.Client, p *serveProc) {
	t.Helper()
	resp, err := api.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the API's listener: status %d, want 404", resp.StatusCode)
	}
	resp, err = http.Get(p.metrics + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics on the metrics listener: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "tollgate_http_requests_total") {
		t.Errorf("the metrics listener: status %d, body lacks the request counter:\n%.300s", resp.StatusCode, b)
	}
}
