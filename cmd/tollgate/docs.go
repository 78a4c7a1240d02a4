package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envVar is a TOLLGATE_* variable read without a serve flag of its own.
// Variables that set a flag name it in the flag's usage text, "(env
// TOLLGATE_X…)", which is where the configuration reference finds them.
type envVar struct {
	name    string
	def     string // the default, as a user would write it; "" when none
	meaning string // what it sets and which commands read it
}

// envOnlyVars lists every TOLLGATE_* variable that no serve flag names.
// TestConfigDocsCoverEveryVariable fails when cmd/tollgate reads one that is
// neither here nor in a serve flag's usage.
var envOnlyVars = []envVar{
	{"TOLLGATE_DATA", "`$XDG_DATA_HOME/tollgate`, else `~/.local/share/tollgate`",
		"every command: the data directory, created 0700; holds the default store `tollgate.db`, the audit signing key, downloaded lists, the first admin token and the demo's audit bundle"},
	{"TOLLGATE_LISTS", "",
		"`demo --lists`: the directory of CSL, OFAC and UN list files the demo screens against"},
	{"TOLLGATE_RESERVATION_TTL", "`24h`",
		"`serve`, `exports`: how long an export reservation holds before it expires"},
	{"TOLLGATE_LAB_TOLERANCE_BP", "`500`",
		"`serve`, `exports`, `labs`: the licensing agency's tolerance, in basis points, by which a lab's measured figures may exceed the application's"},
	{"TOLLGATE_LAB_MIN_EXAMINED_BP", "`10000`",
		"`serve`, `exports`, `labs`: the least share of a report's units, in basis points, that the lab must examine (10000: every unit)"},
	{"TOLLGATE_LAB_REVIEW_MAX_AGE_DAYS", "`30`",
		"`serve`, `exports`: how many days before the export date a lab review may be made"},
	{"TOLLGATE_LICENSE_VALIDITY_YEARS", "`4`",
		"`serve`, `applications`: a license's validity in years, also the longest a decision may set (15 CFR 750.7(g))"},
	{"TOLLGATE_AUDIT_NAME", "`tollgate`",
		"`serve`, `audit`, `demo`: the audit log's name in its checkpoints; it never changes once the log has records"},
	{"TOLLGATE_TESTDATA", "`../shared/data`",
		"`eval`, `bench`: where the labelled sets and the real lists are read from"},
}

// docRegion is a part of README.md generated from the code.
type docRegion struct {
	name string
	gen  func(root *cobra.Command) string
}

// docRegions lists the generated parts of README.md, each between the
// marks regionBegin(name) and regionEnd(name).
var docRegions = []docRegion{
	{"config", configReference},
	{"commands", commandReference},
}

func regionBegin(name string) string {
	return "<!-- BEGIN generated " + name + " by `go run ./cmd/tollgate docs --write README.md`; do not edit -->"
}

func regionEnd(name string) string { return "<!-- END generated " + name + " -->" }

func newDocsCmd(c *cli) *cobra.Command {
	var write string
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Generate the parts of README.md that come from the code",
		Long: `docs generates the configuration reference (every global and serve flag and
every TOLLGATE_* variable) and the command reference from the command tree,
so that the README cannot drift from the code. "docs config" and "docs
commands" print one; --write FILE replaces every generated region of FILE.`,
		Example: "  go run ./cmd/tollgate docs --write README.md\n  tollgate docs config",
		Hidden:  true,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if write == "" {
				return cmd.Help()
			}
			return writeRegions(write, cmd.Root())
		},
	}
	cmd.Flags().StringVar(&write, "write", "", "replace the generated regions of this Markdown file")
	for _, r := range docRegions {
		cmd.AddCommand(&cobra.Command{
			Use:   r.name,
			Short: "Print the " + r.name + " reference as Markdown",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				_, err := io.WriteString(c.stdout, r.gen(cmd.Root()))
				return err
			},
		})
	}
	return cmd
}

// commandReference renders every visible top-level command with its short
// description as a Markdown table.
func commandReference(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("| command | what it does |\n|---|---|\n")
	for _, sub := range root.Commands() {
		if !sub.IsAvailableCommand() || sub.Name() == "help" || sub.Name() == "completion" {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", sub.Name(), mdCell(sub.Short))
	}
	return b.String()
}

// envInUsage finds "(env TOLLGATE_X…)" in a flag's usage, with the default
// the usage states there, if any.
var envInUsage = regexp.MustCompile(`\s*\(env (TOLLGATE_[A-Z_]+)([^)]*)\)`)

// configReference renders the root's and serve's flags and the variables
// of envOnlyVars as one Markdown table.
func configReference(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | what it sets |\n|---|---|---|---|\n")
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	row := func(scope string, f *pflag.Flag) {
		if f.Name == "help" || f.Hidden {
			return
		}
		usage, env, def := f.Usage, "", f.DefValue
		if m := envInUsage.FindStringSubmatch(usage); m != nil {
			env = "`" + m[1] + "`"
			usage = strings.Replace(usage, m[0], "", 1)
			rest := strings.TrimPrefix(strings.TrimSpace(m[2]), ", ")
			if d, ok := strings.CutPrefix(rest, "default "); ok {
				def = d
			} else if rest != "" {
				env += ", " + rest
			}
		}
		switch def {
		case "", "[]", "false":
			def = ""
		default:
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| `%s--%s` | %s | %s | %s |\n", scope, f.Name, env, def, mdCell(usage))
	}
	root.Flags().VisitAll(func(f *pflag.Flag) { row("", f) })
	for _, sub := range root.Commands() {
		if sub.Name() == "serve" {
			sub.Flags().VisitAll(func(f *pflag.Flag) { row("serve ", f) })
		}
	}
	for _, v := range envOnlyVars {
		fmt.Fprintf(&b, "| | `%s` | %s | %s |\n", v.name, v.def, v.meaning)
	}
	return b.String()
}

// mdCell keeps text from breaking a Markdown table cell or reading as HTML
// ("<data dir>").
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(strings.TrimSpace(s))
}

// writeRegions replaces every generated region of the file at path.
func writeRegions(path string, root *cobra.Command) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, r := range docRegions {
		if doc, err = spliceRegion(doc, r.name, r.gen(root)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return os.WriteFile(path, doc, 0o644)
}

// spliceRegion returns doc with the text of region name replaced by text.
func spliceRegion(doc []byte, name, text string) ([]byte, error) {
	old, err := regionText(doc, name)
	if err != nil {
		return nil, err
	}
	begin := []byte(regionBegin(name) + "\n")
	i := bytes.Index(doc, begin) + len(begin)
	out := append([]byte{}, doc[:i]...)
	out = append(out, text...)
	return append(out, doc[i+len(old):]...), nil
}

// regionText returns the text of region name in doc.
func regionText(doc []byte, name string) (string, error) {
	_, after, ok := bytes.Cut(doc, []byte(regionBegin(name)+"\n"))
	if !ok {
		return "", fmt.Errorf("no line %q", regionBegin(name))
	}
	text, _, ok := bytes.Cut(after, []byte(regionEnd(name)))
	if !ok {
		return "", fmt.Errorf("no line %q after %q", regionEnd(name), regionBegin(name))
	}
	return string(text), nil
}
