package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGeneratedCurrent fails when a generated region of README.md is
// not what "tollgate docs" generates from the code today.
func TestReadmeGeneratedCurrent(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range docRegions {
		t.Run(r.name, func(t *testing.T) {
			got, err := regionText(readme, r.name)
			if err != nil {
				t.Fatalf("README.md: %v", err)
			}
			var out bytes.Buffer
			if err := run(context.Background(), []string{"docs", r.name}, func(string) string { return "" }, nil, &out, &out); err != nil {
				t.Fatalf("docs %s: %v", r.name, err)
			}
			if want := out.String(); got != want {
				t.Errorf("README.md's %s reference differs from the code's; run\n\tgo run ./cmd/tollgate docs --write README.md\nREADME has:\n%s\ncode gives:\n%s", r.name, got, want)
			}
		})
	}
}

// TestConfigDocsCoverEveryVariable fails when cmd/tollgate reads a TOLLGATE_*
// variable that the generated reference does not list.
func TestConfigDocsCoverEveryVariable(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"docs", "config"}, func(string) string { return "" }, nil, &out, &out); err != nil {
		t.Fatalf("docs config: %v", err)
	}
	table := out.String()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// A name ending in _* stands for a family ("TOLLGATE_LAB_*"), whose
	// members are read under their own names.
	name := regexp.MustCompile(`TOLLGATE_[A-Z][A-Z_]*[A-Z](?:_\*)?`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range name.FindAllString(string(src), -1) {
			if strings.HasSuffix(v, "_*") {
				continue
			}
			seen++
			if !strings.Contains(table, "`"+v+"`") {
				t.Errorf("%s reads %s, which the configuration reference does not list: add it to a serve flag's usage as (env %s) or to envOnlyVars", f, v, v)
			}
		}
	}
	if seen == 0 {
		t.Fatal("found no TOLLGATE_ variable in cmd/tollgate: the scan is broken")
	}
}

func TestSpliceRegion(t *testing.T) {
	doc := "# T\n\n" + regionBegin("x") + "\nold\n" + regionEnd("x") + "\n\nafter\n"
	got, err := spliceRegion([]byte(doc), "x", "new\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# T\n\n" + regionBegin("x") + "\nnew\n" + regionEnd("x") + "\n\nafter\n"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if text, err := regionText(got, "x"); err != nil || text != "new\n" {
		t.Errorf("regionText = %q, %v; want %q", text, err, "new\n")
	}
	for _, bad := range []string{"no marks\n", regionBegin("x") + "\nno end\n", regionEnd("x") + "\n" + regionBegin("x") + "\n", regionBegin("y") + "\n" + regionEnd("y") + "\n"} {
		if _, err := spliceRegion([]byte(bad), "x", "z"); err == nil {
			t.Errorf("spliceRegion(%q): no error", bad)
		}
	}
}
