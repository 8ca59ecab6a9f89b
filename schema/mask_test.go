package schema

import "testing"

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		kind         Kind
		field, value string
		want         string
	}{
		{KindPerson, "id_number", "511802195703280118", "5118**********0118"},
		{KindPerson, "id_number", "51180219570328011X", "5118**********011X"},
		{KindPerson, "id_number", "511802570328011", "5118*******8011"}, // 15-digit number of before 1999
		{KindPerson, "id_number", "12345678", "********"},
		{KindPerson, "id_number", "", ""},
		{KindPerson, "name", "徐静怡", "徐*怡"},
		{KindPerson, "name", "欧阳娜娜", "欧**娜"},
		{KindPerson, "name", "张三", "张*"},
		{KindPerson, "name", "王", "*"},
		{KindPerson, "name", "", ""},
		{KindPerson, "birth_date", "1957-03-28", "1957-03-28"},
		{KindFacility, "name", "草坝镇敬老院", "草坝镇敬老院"},
		{KindVisit, "visitor", "李明华", "李明华"},
	} {
		if got := Mask(tc.kind, tc.field, tc.value); got != tc.want {
			t.Errorf("Mask(%s, %s, %q) = %q, want %q", tc.kind, tc.field, tc.value, got, tc.want)
		}
		if got := Personal(tc.kind, tc.field); got != (tc.kind == KindPerson && (tc.field == "name" || tc.field == "id_number")) {
			t.Errorf("Personal(%s, %s) = %v", tc.kind, tc.field, got)
		}
	}
}
