package screen

import (
	"fmt"
	"testing"

	"tollgate"
)

// TestCompareRegression is a table of real name pairs, from the lists and
// from the cases that screening must get right, with the decision at the
// default threshold. A change that flips one of them needs a reason.
func TestCompareRegression(t *testing.T) {
	const (
		person = tollgate.EntityPerson
		org    = tollgate.EntityOrganization
		any    = tollgate.EntityUnknown
	)
	tests := []struct {
		a, b  string
		typ   tollgate.EntityType
		match bool
	}{
		// Same party, written differently.
		{"Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES COMPANY LIMITED", org, true},
		{"北京华为数字技术有限公司", "Beijing Huawei Digital Technologies Co., Ltd.", org, true},
		{"華為技術有限公司", "Huawei Technologies Co., Ltd.", org, true},
		{"国防科技大学", "National University of Defense Technology (NUDT)", org, true},
		{"国防科技大学", "Hunan Guofang Keji University", org, true},
		{"Концерн Калашников", "KALASHNIKOV CONCERN", org, true},
		{"Сергей Викторович Лавров", "LAVROV, Sergei Viktorovich", person, true},
		{"Sergey Lavrov", "LAVROV, Sergei Viktorovich", person, true},
		{"JSC Murom Instrument-Making Plant", "Акционерное общество «Муромский приборостроительный завод»", org, true},
		{"OAO Gazprom", "Gazprom JSC", org, true},
		{"Siemens AG", "Siemens Aktiengesellschaft", org, true},
		{"Bashar el-Assad", "Bashar al-Assad", person, true},
		{"Alisher-Usmanov", "Alisher Usmanov", person, true},
		{"AlisherUsmanov", "Alisher Usmanov", person, true},
		{"Vladimir Putin", "PUTIN, Vladimir Vladimirovich", person, true},
		{"V. Putin", "Vladimir Putin", person, true},
		{"Osama bin Ladin", "Usama bin Laden", person, true},
		{"Mohammed Omar", "Muhammad Umar", person, true},
		{"PLA", "People's Liberation Army", org, true},
		{"Ben Netanyahu", "Benjamin Netanyahu", person, true},
		{"AREFULLAHA REF GHAZI MOHAMMAD", "AREFULLAH AREF GHAZI MOHAMMAD", person, true},
		{"KIM SKO CHOL", "KIM SOK CHOL", person, true},
		{"Александар Вукић", "Александар Вучић", person, true},
		{"Бараќ Обама", "Barak Obama", person, true},

		// Different parties with similar names.
		{"Friedrich Lindenberg", "Lars Friedrich Lindemann", person, false},
		{"Ahmad Ibrahim", "Anwar Ibrahim", person, false},
		{"QASIM MOHAMED MAHDI AL-HOUTHI", "QASIM MOHAMED MAHDI AL-RIMI", person, false},
		{"Sergey Viktorovich Lavrov", "Sergey Borisovitch Lavrov", person, false},
		{"Deutsche Bank AG", "Deutsche Bank GmbH", org, false},
		{"China Railroad Engineering Corporation", "China Railway Engineering Corporation", org, false},
		{"Bank of China (Hong Kong) Limited", "Bank of China (Singapore) Limited", org, false},
		{"Raúl Castillo", "Raúl Castro", person, false},
		{"N.N.", "Nursultan Nazarbayev", person, false},
		{"이재형", "이재명", person, false},
		{"Wang Chen", "Yang Chen", person, false},
		{"字节跳动有限公司", "Zijin Mining Group Co., Ltd.", org, false},
		{"Anna Karenina", "Karenina Anna Arkadyevna Holdings International", any, false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			got, expl := Compare(tt.a, tt.b, tt.typ)
			if (got >= DefaultThreshold) != tt.match {
				t.Errorf("Compare(%q, %q) = %.3f, want match %v\n%s", tt.a, tt.b, got, tt.match, expl)
			}
		})
	}
}

func TestCompareExplanation(t *testing.T) {
	score, e := Compare("Beijing Huawei Digital Technology Co Ltd", "Beijing Huawei Digital Technologies Co., Ltd.", tollgate.EntityOrganization)
	if score < DefaultThreshold {
		t.Fatalf("score = %.3f, want at least %.2f", score, DefaultThreshold)
	}
	if got, want := e.Listed, "beijing huawei digital technologies co ltd"; got != want {
		t.Errorf("Listed = %q, want %q", got, want)
	}
	if got, want := e.Matched, "Beijing Huawei Digital Technologies Co., Ltd."; got != want {
		t.Errorf("Matched = %q, want %q", got, want)
	}
	byQuery := map[string]TokenMatch{}
	for _, tm := range e.Tokens {
		byQuery[tm.Query] = tm
	}
	tests := []struct {
		query, listed, how string
	}{
		{"huawei", "huawei", "exact"},
		{"technology", "technologies", "fuzzy"},
		{"co", "co", "legal-form"},
	}
	for _, tt := range tests {
		tm, ok := byQuery[tt.query]
		if !ok {
			t.Errorf("no token match for %q in %+v", tt.query, e.Tokens)
			continue
		}
		if tm.Listed != tt.listed || tm.How != tt.how {
			t.Errorf("token %q aligned with %q (%s), want %q (%s)", tt.query, tm.Listed, tm.How, tt.listed, tt.how)
		}
	}
	if byQuery["co"].Weight >= byQuery["huawei"].Weight {
		t.Errorf("legal form weight %.2f not below name word weight %.2f", byQuery["co"].Weight, byQuery["huawei"].Weight)
	}
}

func TestCompareBounds(t *testing.T) {
	pairs := [][2]string{{"", ""}, {"", "x"}, {"Co., Ltd.", "LLC"}, {"a b c d e f g h", "h g f e d c b a"}}
	for _, p := range pairs {
		got, _ := Compare(p[0], p[1], tollgate.EntityUnknown)
		if got < 0 || got > 1 {
			t.Errorf("Compare(%q, %q) = %v, outside [0,1]", p[0], p[1], got)
		}
	}
	if got, _ := Compare("Huawei", "Huawei", tollgate.EntityUnknown); got != 1 {
		t.Errorf("Compare of equal names = %v, want 1", got)
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in      string
		want    tollgate.EntityType
		wantErr bool
	}{
		{"Person", tollgate.EntityPerson, false},
		{"individual", tollgate.EntityPerson, false},
		{"Company", tollgate.EntityOrganization, false},
		{"LegalEntity", tollgate.EntityOrganization, false},
		{"org", tollgate.EntityOrganization, false},
		{"Vessel", tollgate.EntityVessel, false},
		{"", tollgate.EntityUnknown, false},
		{"planet", tollgate.EntityUnknown, true},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseType(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && tollgate.ErrorCode(err) != tollgate.EINVALID {
			t.Errorf("ParseType(%q) error code = %q, want %q", tt.in, tollgate.ErrorCode(err), tollgate.EINVALID)
		}
	}
}

func ExampleCompare() {
	score, e := Compare("北京华为数字技术有限公司", "Beijing Huawei Digital Technologies Co., Ltd.", tollgate.EntityOrganization)
	fmt.Printf("%.2f %v\n", score, score >= DefaultThreshold)
	fmt.Println(e.Query)
	// Output:
	// 0.99 true
	// beijing huawei digital technology co ltd
}
