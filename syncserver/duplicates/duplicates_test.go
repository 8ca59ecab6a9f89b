package duplicates

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

const (
	caoba   schema.Code = "511802101"    // 草坝镇
	linkou  schema.Code = "511802101200" // 林口村委会
	shuikou schema.Code = "511802101201" // 水口村委会
	shangli schema.Code = "511802107"    // 上里镇
)

// put writes records straight into a real store, as the writer would have
// merged them.
func put(t *testing.T, st store.Store, recs ...rec) {
	t.Helper()
	var out []*schema.Record
	for i, r := range recs {
		set, err := schema.EncodeFields(r.v)
		if err != nil {
			t.Fatal(err)
		}
		kind, _ := schema.KindOf(r.v)
		m, _, err := schema.Merge(nil, &schema.Change{Kind: kind, ID: r.id, Unit: r.unit, Set: set,
			Stamp: schema.MakeStamp(1, uint16(i)), Device: "d", Seq: uint64(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		if r.deleted {
			m, _, _ = schema.Merge(m, &schema.Change{Kind: kind, ID: r.id, Unit: r.unit, Delete: true,
				Stamp: schema.MakeStamp(2, 0), Device: "d", Seq: 99})
		}
		out = append(out, m)
	}
	if err := st.Commit(context.Background(), &store.Group{Records: out}); err != nil {
		t.Fatal(err)
	}
}

type rec struct {
	id      string
	unit    schema.Code
	v       any
	deleted bool
}

func elder(name, id, birth string) schema.Person {
	return schema.Person{Name: name, IDNumber: id, BirthDate: birth, Categories: []schema.PersonCategory{schema.CatTekun}}
}

func home(name, addr string) schema.Facility {
	return schema.Facility{Name: name, Kind: schema.FKRuralHappiness, Ownership: schema.OwnPublic,
		Status: schema.StatusOperating, Address: addr}
}

func idn(t *testing.T, prefix17 string) string {
	id, err := schema.CompleteIDNumber(prefix17)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestFind(t *testing.T) {
	zhang := idn(t, "51180219500102001")
	li := idn(t, "51180219480315002")
	li2 := idn(t, "51180219480315003")
	for _, tc := range []struct {
		name string
		unit schema.Code
		recs []rec
		// want lists each group as "rule:id,id" in the order Find gives them.
		want []string
	}{
		{"same ID number in two townships of the county", "511802", []rec{
			{id: "p1", unit: linkou, v: elder("张桂英", zhang, "1950-01-02")},
			{id: "p2", unit: shangli, v: elder("张 桂英", strings.ToLower(zhang), "")},
			{id: "p3", unit: linkou, v: elder("王秀兰", "", "1950-01-02")},
		}, []string{"same_id_number:p1,p2"}},
		{"a township office sees only its own township", caoba, []rec{
			{id: "p1", unit: linkou, v: elder("张桂英", zhang, "1950-01-02")},
			{id: "p2", unit: shangli, v: elder("张桂英", zhang, "1950-01-02")},
		}, nil},
		{"same name and birth date in one township, one without an ID number", caoba, []rec{
			{id: "p1", unit: linkou, v: elder("阿依古丽·买买提", li, "")},
			{id: "p2", unit: shuikou, v: elder("阿依古丽•买买提", "", "1948-03-15")},
		}, []string{"same_name_birth:p1,p2"}},
		{"same name and birth date but different ID numbers are two people", caoba, []rec{
			{id: "p1", unit: linkou, v: elder("李明", li, "")},
			{id: "p2", unit: linkou, v: elder("李明", li2, "")},
		}, nil},
		{"same name and birth date in different townships is not a group", "511802", []rec{
			{id: "p1", unit: linkou, v: elder("李明", "", "1948-03-15")},
			{id: "p2", unit: shangli, v: elder("李明", "", "1948-03-15")},
		}, nil},
		{"a pair with the same ID number is not listed again for its name", caoba, []rec{
			{id: "p1", unit: linkou, v: elder("张桂英", zhang, "")},
			{id: "p2", unit: linkou, v: elder("张桂英", zhang, "")},
		}, []string{"same_id_number:p1,p2"}},
		{"deleted and merged persons are left out", caoba, []rec{
			{id: "p1", unit: linkou, v: elder("张桂英", zhang, "")},
			{id: "p2", unit: linkou, v: elder("张桂英", zhang, ""), deleted: true},
			{id: "p3", unit: linkou, v: func() schema.Person { p := elder("张桂英", zhang, ""); p.MergedInto = "p1"; return p }()},
		}, nil},
		{"facility names that differ in width, spaces and 村", caoba, []rec{
			{id: "f1", unit: linkou, v: home("林口村幸福院", "")},
			{id: "f2", unit: linkou, v: home("草坝镇林口 幸福院", "")},
			{id: "f3", unit: shuikou, v: home("水口村幸福院", "")},
		}, []string{"same_facility_name:f1,f2"}},
		{"same facility name in two villages is not a group", caoba, []rec{
			{id: "f1", unit: linkou, v: home("幸福院", "")},
			{id: "f2", unit: shuikou, v: home("幸福院", "")},
		}, nil},
		{"same address in one township, names differ", caoba, []rec{
			{id: "f1", unit: linkou, v: home("林口村互助养老点", "林口村3组12号")},
			{id: "f2", unit: caoba, v: home("草坝镇敬老院分院", "林口村３组 12号")},
		}, []string{"same_address:f1,f2"}},
		{"same name and address is listed once", caoba, []rec{
			{id: "f1", unit: linkou, v: home("林口村幸福院", "林口村3组12号")},
			{id: "f2", unit: linkou, v: home("林口幸福院", "林口村3组12号")},
		}, []string{"same_facility_name:f1,f2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := badgerstore.Open(t.TempDir(), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			put(t, st, tc.recs...)
			gs, err := Find(context.Background(), st, schema.BuiltinDivisions(), tc.unit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range gs {
				var ids []string
				for _, m := range g.Members {
					ids = append(ids, m.ID)
				}
				got = append(got, string(g.Rule)+":"+strings.Join(ids, ","))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("groups %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFindEvidence checks what an office sees: masked names and numbers,
// the unit names, and the visits that hang on each record.
func TestFindEvidence(t *testing.T) {
	st, err := badgerstore.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	zhang := idn(t, "51180219500102001")
	put(t, st,
		rec{id: "p1", unit: linkou, v: elder("张桂英", zhang, "")},
		rec{id: "p2", unit: linkou, v: elder("张桂英", zhang, "")},
		rec{id: "v1", unit: linkou, v: schema.Visit{Person: "p2", Date: "2026-10-03", Kind: schema.VisitMonthly}},
		rec{id: "v2", unit: linkou, v: schema.Visit{Person: "p2", Date: "2026-11-03", Kind: schema.VisitMonthly}},
	)
	gs, err := Find(context.Background(), st, schema.BuiltinDivisions(), caoba)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 {
		t.Fatalf("%d groups, want 1", len(gs))
	}
	g := gs[0]
	if g.RuleLabel != "身份证号相同" || g.Evidence != "身份证号 5118**********"+zhang[14:] {
		t.Errorf("rule %q, evidence %q", g.RuleLabel, g.Evidence)
	}
	m := g.Members[1]
	if m.Name != "张*英" || strings.Contains(m.IDNumber, "1950") || m.UnitName != "林口村委会" || m.Refs != 2 || m.BirthYear != "1950" {
		t.Errorf("member %+v: want masked name and number, unit name, 2 visits, birth year from the ID number", m)
	}
	if strings.Contains(g.Evidence+g.Members[0].Name+g.Members[0].IDNumber, "桂") {
		t.Errorf("evidence shows a full name: %+v", g)
	}
}
