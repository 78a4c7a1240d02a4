// Command tollgate runs the advanced-AI-chip export regime: classification,
// restricted-party screening, licensing, shipping and a verifiable audit log.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tollgate:", errorLine(err))
		os.Exit(exitCode(err))
	}
}
