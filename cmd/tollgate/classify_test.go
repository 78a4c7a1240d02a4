package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tollgate"
	"tollgate/catalog"
	"tollgate/classify"
)

// runCLI runs tollgate in process and returns stdout and the error.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), err
}

// classifyJSON runs a classify command with --json and decodes its output.
func classifyJSON(t *testing.T, args ...string) tollgate.Classification {
	t.Helper()
	out, err := runCLI(t, append(args, "--json")...)
	if err != nil {
		t.Fatalf("tollgate %s: %v", strings.Join(args, " "), err)
	}
	var c tollgate.Classification
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	return c
}

func TestClassifyAcceptance(t *testing.T) {
	t.Run("H200ToChina", func(t *testing.T) {
		c := classifyJSON(t, "classify", "h200", "--to", "CN")
		if c.ECCN != "3A090.a" || c.TPP != 15832 || c.Model != "H200 SXM" || !c.Controlled {
			t.Errorf("model %q ECCN %q TPP %v controlled %v; want H200 SXM, 3A090.a, 15832, true", c.Model, c.ECCN, c.TPP, c.Controlled)
		}
		d := c.Destination
		if d == nil || d.Country != "CN" || !d.LicenseRequired || d.ReviewPolicy != tollgate.PolicyCaseByCase || len(d.Conditions) != 6 {
			t.Fatalf("destination %+v; want CN, license required, case_by_case, 6 conditions", d)
		}
		if c.Tariff.Band != 1 || c.Tariff.Heading != "9903.79.01" || c.Tariff.RateBP != 2500 {
			t.Errorf("tariff %+v; want band 1, 9903.79.01, 2500", c.Tariff)
		}
		if len(c.Reasons) == 0 || len(c.Rules) == 0 || len(c.LicenseExceptions) != 2 || c.AsOf == "" {
			t.Errorf("reasons %d, rules %d, exceptions %d, as_of %q; want all present", len(c.Reasons), len(c.Rules), len(c.LicenseExceptions), c.AsOf)
		}
	})
	t.Run("B200ToChina", func(t *testing.T) {
		c := classifyJSON(t, "classify", "b200", "--to", "CN")
		if c.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfDenial {
			t.Errorf("policy %s, want presumption_of_denial", c.Destination.ReviewPolicy)
		}
	})
	t.Run("H200ToChinaDecember2025", func(t *testing.T) {
		c := classifyJSON(t, "classify", "h200", "--to", "CN", "--as-of", "2025-12-01")
		if c.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfDenial || c.Tariff.RateBP != 0 || c.AsOf != "2025-12-01" {
			t.Errorf("policy %s rate %d as_of %s; want presumption_of_denial, 0, 2025-12-01", c.Destination.ReviewPolicy, c.Tariff.RateBP, c.AsOf)
		}
	})
	t.Run("H100ToChina", func(t *testing.T) {
		c := classifyJSON(t, "classify", "h100", "--to", "CN")
		if c.Destination.ReviewPolicy != tollgate.PolicyCaseByCase || c.Tariff.Band != 0 || c.Tariff.Heading != "9903.79.02" || c.Tariff.RateBP != 0 {
			t.Errorf("policy %s tariff %+v; want case_by_case, band 0, 9903.79.02, 0", c.Destination.ReviewPolicy, c.Tariff)
		}
	})
	t.Run("ForgivingNames", func(t *testing.T) {
		for _, name := range []string{"H200 SXM", "nvidia h200", "NVIDIA-H200"} {
			if c := classifyJSON(t, "classify", name); c.Model != "H200 SXM" {
				t.Errorf("classify %q: model %q, want H200 SXM", name, c.Model)
			}
		}
	})
	t.Run("ClassificationOnly", func(t *testing.T) {
		out, err := runCLI(t, "classify", "h200", "--json")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, `"destination"`) {
			t.Errorf("output without --to has a destination:\n%s", out)
		}
	})
	t.Run("SystemExemption", func(t *testing.T) {
		c := classifyJSON(t, "classify", "h200", "--system", "--hts", "8471.50", "--exemption", "9903.79.05", "--as-of", "2026-03-01")
		if c.ECCN != "4A090.a" || c.Tariff.Heading != "9903.79.05" || c.Tariff.RateBP != 0 || c.Tariff.HTS != "8471.50" {
			t.Errorf("ECCN %q tariff %+v; want 4A090.a, 9903.79.05 at 0 on 8471.50", c.ECCN, c.Tariff)
		}
	})
}

func TestClassifyHumanOutput(t *testing.T) {
	out, err := runCLI(t, "classify", "h200", "--to", "CN", "--as-of", "2026-03-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ECCN", "3A090.a", "Review policy", "case_by_case", "band 1, heading 9903.79.01, 25%", "Reasons:", "third_party_lab", "h200-rule-2026"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestClassifySpecFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("x1.yaml", "vendor: Acme\nmodel: X1\ndata_center: true\npeaks: [{precision: INT8, value: 400, bit_length: 8}]\ndie_area_mm2: 1000\ndram_bandwidth_gbps: 900\n")
	c := classifyJSON(t, "classify", "--spec", good, "--to", "VN")
	if c.Model != "X1" || c.ECCN != "3A090.b" || c.Destination.ReviewPolicy != tollgate.PolicyPresumptionOfApproval {
		t.Errorf("model %q ECCN %q policy %s; want X1, 3A090.b, presumption_of_approval", c.Model, c.ECCN, c.Destination.ReviewPolicy)
	}
	bad := write("bad.json", `{"vendor": "Acme", "model": "X1", "data_center": true, "peaks": [{"precision": "FP8", "value": -5, "bit_length": 8}], "dram_bandwidth_gbps": 900}`)
	_, err := runCLI(t, "classify", "--spec", bad)
	if err == nil || exitCode(err) != 1 || !strings.Contains(errorLine(err), "peaks[0].value") {
		t.Errorf("bad spec: err %v (exit %d); want exit 1 naming peaks[0].value", err, exitCode(err))
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // part of the error line
	}{
		{"UnknownCountry", []string{"classify", "h200", "--to", "XX"}, 2, "--to"},
		{"UnknownHQ", []string{"classify", "h200", "--to", "CN", "--hq", "Narnia"}, 2, "--hq"},
		{"UnknownFrom", []string{"classify", "h200", "--to", "CN", "--from", "Atlantis"}, 2, "--from"},
		{"MalformedDate", []string{"classify", "h200", "--to", "CN", "--as-of", "2026/01/15"}, 2, "--as-of"},
		{"ImpossibleDate", []string{"classify", "h200", "--as-of", "2026-02-30"}, 2, "--as-of"},
		{"DateBeforeRules", []string{"classify", "h200", "--as-of", "2020-01-01"}, 2, "--as-of"},
		{"BadHTS", []string{"classify", "h200", "--hts", "84"}, 2, "--hts"},
		{"BadExemption", []string{"classify", "h200", "--exemption", "9903.79.01", "--as-of", "2026-03-01"}, 2, "--exemption"},
		{"NoChip", []string{"classify"}, 2, "CHIP"},
		{"ChipAndSpec", []string{"classify", "h200", "--spec", "x.yaml"}, 2, "not both"},
		{"TooManyArgs", []string{"classify", "h200", "h100"}, 2, "accepts at most 1 arg"},
		{"UnknownFlag", []string{"classify", "h200", "--bogus"}, 2, "bogus"},
		{"UnknownChip", []string{"classify", "h300", "--to", "CN"}, 1, "known models: H200 SXM"},
		{"UnknownChipDidYouMean", []string{"classify", "mi309x", "--to", "CN"}, 1, `did you mean "Instinct MI300X" or "Instinct MI308X"?`},
		{"MissingSpecFile", []string{"classify", "--spec", "/nonexistent/spec.yaml"}, 1, "--spec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCLI(t, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if got := exitCode(err); got != tt.code {
				t.Errorf("exit code %d, want %d (%v)", got, tt.code, err)
			}
			if line := errorLine(err); !strings.Contains(line, tt.want) {
				t.Errorf("error line %q does not contain %q", line, tt.want)
			}
		})
	}
}

func TestChipsCommand(t *testing.T) {
	out, err := runCLI(t, "chips")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"H200 SXM", "15,832 (FP8)", "19.45", "Instinct MI325X", "BR100"} {
		if !strings.Contains(out, want) {
			t.Errorf("chips output lacks %q:\n%s", want, out)
		}
	}
	out, err = runCLI(t, "chips", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		tollgate.Chip
		TPP float64  `json:"tpp"`
		PD  *float64 `json:"pd"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if n := len(catalog.Default().Chips()); len(rows) != n || rows[0].Model != "H200 SXM" || rows[0].TPP != 15832 || rows[0].Sources["dram_bandwidth_gbps"] == "" {
		t.Errorf("chips --json: %d rows, first %+v; want %d rows starting with the H200 and its sources", len(rows), rows[0], n)
	}
}

func TestCompareCommand(t *testing.T) {
	out, err := runCLI(t, "compare", "h200", "h20", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got classify.Comparison
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.TPPRatio != 6.69 || got.BandwidthRatio != 1.2 {
		t.Errorf("tpp_ratio %v, bandwidth_ratio %v; want 6.69, 1.2", got.TPPRatio, got.BandwidthRatio)
	}
	out, err = runCLI(t, "compare", "h200", "h20")
	if err != nil || !strings.Contains(out, "6.69x") {
		t.Errorf("compare output %q, %v; want a 6.69x ratio", out, err)
	}
	if _, err := runCLI(t, "compare", "h200"); exitCode(err) != 2 {
		t.Errorf("compare with one chip: exit %d, want 2", exitCode(err))
	}
	if _, err := runCLI(t, "compare", "h200", "nope"); err == nil || exitCode(err) != 1 {
		t.Errorf("compare with an unknown chip: %v, want exit 1", err)
	}
}
