package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"tollgate"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); without it
// the module version recorded by the Go toolchain is used.
var version = ""

// buildInfo describes this binary: "tollgate version", --version, /healthz
// and every audit bundle carry it.
func buildInfo() tollgate.Build { return tollgate.ReadBuild(version) }

func newVersionCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tollgate's version, VCS revision, commit time and dirty flag",
		Long: `version prints the module version, the VCS revision and its commit time, whether
the working tree had uncommitted changes, and the Go version, as the Go
toolchain recorded them. "go build" in a checkout records the VCS facts; "go
run" does not, and then they read "unknown".`,
		Example: "  tollgate version\n  tollgate --version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(c.stdout, "tollgate %s\n", buildInfo())
			return err
		},
	}
}
