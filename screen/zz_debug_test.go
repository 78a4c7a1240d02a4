package screen

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"tollgate"
	"tollgate/screen/lists"
)

func TestZZDebug(t *testing.T) {
	for _, line := range strings.Split(os.Getenv("DBG"), "\n") {
		a, b, ok := strings.Cut(line, "|")
		if !ok {
			fmt.Printf("%q -> %v\n", line, analyze(line, tollgate.EntityUnknown).forms)
			continue
		}
		s, e := Compare(a, b, tollgate.EntityUnknown)
		fmt.Printf("%.3f %s\n", s, e)
	}
}

func TestZZUN(t *testing.T) {
	res, err := lists.Load("/work/shared/data/lists/un/consolidated-2026-02-27.xml")
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(res.Entities, DefaultConfig())
	for _, line := range strings.Split(os.Getenv("DBG"), "\n") {
		q := Query{Name: line, MinScore: 0.3, Type: tollgate.EntityPerson, Country: os.Getenv("CC")}
		hits := ix.Screen(q, 3)
		fmt.Printf("%s -> %d hits\n", line, len(hits))
		for _, h := range hits {
			fmt.Printf("  %.3f %s %s\n%s", h.Score, h.Entity.SourceID, h.MatchedName, h.Explanation)
		}
	}
}

func TestZZBatch(t *testing.T) {
	res, _ := lists.Load("/work/shared/data/lists/un/consolidated-2026-02-27.xml")
	ix := NewIndex(res.Entities, DefaultConfig())
	names := strings.Split(os.Getenv("DBG"), "\n")
	var qs []Query
	for _, n := range names {
		qs = append(qs, Query{Name: n, Type: tollgate.EntityPerson})
	}
	for i, h := range ix.ScreenBatch(qs, 1, 1) {
		fmt.Println(names[i], len(h))
	}
	s := ix.getScratch()
	for _, q := range qs {
		fmt.Println(q.Name, len(ix.screen(s, q, 1)))
	}
}

func TestZZSweep(t *testing.T) {
	f, _ := os.Open("/work/shared/data/eval/namebench-dev.csv")
	rows, _ := csv.NewReader(f).ReadAll()
	type r struct {
		s    float64
		want bool
		na   bool
	}
	var rs []r
	for _, row := range rows[1:] {
		typ, _ := ParseType(row[1])
		s, _ := Compare(row[2], row[3], typ)
		rs = append(rs, r{s, row[4] == "true", !isASCII(row[2]) || !isASCII(row[3])})
	}
	for th := 0.70; th < 0.95; th += 0.02 {
		var tp, fp, fn, tp2, fp2, fn2 float64
		for _, x := range rs {
			got := x.s >= th
			switch {
			case got && x.want:
				tp++
			case got:
				fp++
			case x.want:
				fn++
			}
			if x.na {
				switch {
				case got && x.want:
					tp2++
				case got:
					fp2++
				case x.want:
					fn2++
				}
			}
		}
		fmt.Printf("th %.2f F1 %.3f (p %.3f r %.3f) nonascii F1 %.3f\n", th, 2*tp/(2*tp+fp+fn), tp/(tp+fp), tp/(tp+fn), 2*tp2/(2*tp2+fp2+fn2))
	}
}

func TestZZAll(t *testing.T) {
	f, _ := os.Open("/work/shared/data/eval/namebench-dev.csv")
	rows, _ := csv.NewReader(f).ReadAll()
	for _, row := range rows[1:] {
		typ, _ := ParseType(row[1])
		s, _ := Compare(row[2], row[3], typ)
		fmt.Printf("%.3f %s %s | %s\n", s, row[4], row[2], row[3])
	}
}
