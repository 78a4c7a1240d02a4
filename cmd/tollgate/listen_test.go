package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAddressInUse occupies a port and checks that serve and demo fail at
// once naming the address, with exit status 1, before they start anything:
// no story told, no store made.
func TestAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	for _, args := range [][]string{
		{"serve", "--addr", addr},
		{"demo", "--addr", addr, "--lists", t.TempDir()},
	} {
		t.Run(args[0], func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"TOLLGATE_DATA": data}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
			if ctx.Err() != nil {
				t.Fatalf("tollgate %s did not return while its address was in use", args[0])
			}
			if err == nil || exitCode(err) != 1 || !strings.Contains(errorLine(err), "cannot listen on "+addr) {
				t.Errorf("tollgate %s on a busy address: %v, want exit 1 naming %s", args[0], err, addr)
			}
			if out.Len() != 0 {
				t.Errorf("tollgate %s printed before failing:\n%s", args[0], out.String())
			}
			if m, _ := filepath.Glob(filepath.Join(data, "*.db")); len(m) != 0 {
				t.Errorf("tollgate %s made a store before binding: %v", args[0], m)
			}
		})
	}
}
