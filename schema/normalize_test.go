package schema

import "testing"

func TestNormalizePersonName(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"张桂英", "张 桂英"},
		{"张桂英", " 张桂英\u3000"},
		{"阿依古丽·买买提", "阿依古丽•买买提"},
		{"阿依古丽·买买提", "阿依古丽.买买提"},
		{"阿依古丽·买买提", "阿依古丽・买买提"},
		{"ZHANG San", "ｚｈａｎｇ　ｓａｎ"},
	} {
		if NormalizePersonName(tc.a) != NormalizePersonName(tc.b) {
			t.Errorf("%q and %q normalise to %q and %q; want them equal", tc.a, tc.b, NormalizePersonName(tc.a), NormalizePersonName(tc.b))
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"张桂英", "张桂芳"},
		{"张桂英", "张英"},
	} {
		if NormalizePersonName(tc.a) == NormalizePersonName(tc.b) {
			t.Errorf("%q and %q both normalise to %q; want them distinct", tc.a, tc.b, NormalizePersonName(tc.a))
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	for in, want := range map[string]string{
		"51180219570328011x":   "51180219570328011X",
		" 511802 195703280118": "511802195703280118",
		"５１１８０２１９５７０３２８０１１８": "511802195703280118",
	} {
		if got := NormalizeIDNumber(in); got != want {
			t.Errorf("NormalizeIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeFacilityName(t *testing.T) {
	places := []string{"石门村", "草坝镇"}
	same := []struct{ a, b string }{
		{"石门村幸福院", "石门幸福院"},
		{"石门村幸福院", "草坝镇石门村幸福院"},
		{"石门村幸福院", "草坝石门幸福院"},
		{"石门村 幸福院", "石门村幸福院"},
		{"石门村幸福院（一）", "石门村幸福院(一)"},
		{"石门社区日间照料中心", "石门日间照料中心"},
		{"石门村第２幸福院", "石门村第2幸福院"},
		{"石门村委会老年助餐点", "石门村老年助餐点"},
	}
	for _, tc := range same {
		if a, b := NormalizeFacilityName(tc.a, places...), NormalizeFacilityName(tc.b, places...); a != b {
			t.Errorf("%q and %q normalise to %q and %q; want them equal", tc.a, tc.b, a, b)
		}
	}
	distinct := []struct{ a, b string }{
		{"石门村幸福院", "石门村老年助餐点"},
		{"石门村第1幸福院", "石门村第2幸福院"},
		{"石门村幸福院", "石门村托育点"},
	}
	for _, tc := range distinct {
		if a, b := NormalizeFacilityName(tc.a, places...), NormalizeFacilityName(tc.b, places...); a == b {
			t.Errorf("%q and %q both normalise to %q; want them distinct", tc.a, tc.b, a)
		}
	}
	// A facility called just by its village's name keeps it, rather than
	// becoming "" and matching every other such facility.
	if got := NormalizeFacilityName("石门村", places...); got == "" {
		t.Errorf("NormalizeFacilityName(石门村) is empty")
	}
}

func TestNormalizeAddress(t *testing.T) {
	if a, b := NormalizeAddress("石门村3组 12号"), NormalizeAddress("石门村３组12号"); a != b {
		t.Errorf("addresses normalise to %q and %q; want them equal", a, b)
	}
	if a, b := NormalizeAddress("石门村3组12号"), NormalizeAddress("石门村3组13号"); a == b {
		t.Errorf("different addresses both normalise to %q", a)
	}
}
