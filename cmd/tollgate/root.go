package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tollgate"
)

// cli carries what every command needs from the outside world. Commands read
// the environment, the clock and the standard streams only through it, so a
// test can run any command in process.
type cli struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time

	// by is the name a command's --by gave, which the CLI acts as (see
	// actingAsRule); "" without one.
	by string

	// bound is a listener the caller bound for serve before doing anything
	// else (the demo binds before its story); nil makes serve bind its own.
	bound net.Listener
}

// commandGroups lists the constructors of every top-level command; one file
// per command group defines its constructor.
var commandGroups = []func(*cli) *cobra.Command{
	newVersionCmd,
	newDemoCmd,
	newAuditCmd,
	newChipsCmd, newClassifyCmd, newCompareCmd,
	newEvalCmd, newBenchCmd,
	newListsCmd,
	newScreenCmd,
	newServeCmd, newRescreenCmd, newOrgsCmd, newPartiesCmd,
	newUsersCmd, newTokensCmd,
	newBackupCmd, newRestoreCmd,
	newApplicationsCmd, newLicensesCmd,
	newShipmentsCmd,
	newEngagementsCmd,
	newImportsCmd,
	newLabsCmd,
	newExportsCmd,
	newOrdersCmd,
	newReportCmd,
	newDocsCmd,
}

// run is the whole program: it parses args, runs the command and returns its
// error. main only maps the error to an exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := &cli{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	root := newRootCmd(c)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

func newRootCmd(c *cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "tollgate",
		Short: "Run the advanced-AI-chip export regime end to end",
		Long: `tollgate classifies chips under the export rules and the Section 232 tariff,
screens parties against the US restricted-party lists, and runs licensing,
shipping and a tamper-evident audit log for every party in the regime.

` + actingAsRule,
		Example: `  tollgate classify h200 --to CN
  tollgate compare h200 h20
  tollgate version`,
		Version:       buildInfo().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "tollgate" prints help; unknown subcommands are usage errors.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetVersionTemplate("tollgate {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{msg: err.Error()}
	})
	for _, newCmd := range commandGroups {
		root.AddCommand(newCmd(c))
	}
	wrapArgs(root)
	return root
}

// wrapArgs makes every positional-argument error a usage error, recursively.
func wrapArgs(cmd *cobra.Command) {
	if cmd.Args != nil {
		inner := cmd.Args
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if err := inner(cmd, args); err != nil {
				msg := err.Error()
				var u *usageError
				if errors.As(err, &u) {
					msg = u.msg
				}
				return &usageError{msg: msg + suggestCommands(cmd, args)}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		sub.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
			return &usageError{msg: err.Error()}
		})
		wrapArgs(sub)
	}
}

// suggestCommands returns "; did you mean …?" naming the subcommands of
// cmd closest to a mistyped first argument, or "" when there are none.
func suggestCommands(cmd *cobra.Command, args []string) string {
	if len(args) == 0 || !cmd.HasAvailableSubCommands() {
		return ""
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default
	}
	s := cmd.SuggestionsFor(args[0])
	if len(s) == 0 {
		return ""
	}
	for i := range s {
		s[i] = strconv.Quote(s[i])
	}
	return "; did you mean " + strings.Join(s, " or ") + "?"
}

// usageError is a mistake in how the command was called; it exits with 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode maps an error to the process exit status: 2 for usage errors and
// invalid input given on the command line, 1 for any other failure.
func exitCode(err error) int {
	var u *usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// errorLine renders err as the one line printed before exiting.
func errorLine(err error) string {
	var u *usageError
	if errors.As(err, &u) {
		return strings.TrimSpace(u.msg) + " (see --help)"
	}
	var te *tollgate.Error
	if errors.As(err, &te) && te.Code != tollgate.EINTERNAL {
		return te.Error()
	}
	return err.Error()
}

// withBound returns a copy of c whose serve uses the listener ln.
func (c *cli) withBound(ln net.Listener) *cli {
	bc := *c
	bc.bound = ln
	return &bc
}
