package tollgate

import (
	"math"
	"testing"
)

func TestFormatCents(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{0, "$0.00"},
		{5, "$0.05"},
		{100, "$1.00"},
		{99999, "$999.99"},
		{100000, "$1,000.00"},
		{625000000, "$6,250,000.00"},
		{6750000000, "$67,500,000.00"},
		{-150, "-$1.50"},
		{math.MaxInt64, "$92,233,720,368,547,758.07"},
		{math.MinInt64, "-$92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := FormatCents(tt.cents); got != tt.want {
			t.Errorf("FormatCents(%d) = %q, want %q", tt.cents, got, tt.want)
		}
	}
}
