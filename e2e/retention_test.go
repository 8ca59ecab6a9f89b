package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver"
)

// TestRetentionErasureReachesDevice: a township registers a person who
// died years ago; the county's retention run erases their name, ID number
// and birth date on the server; the township's next sync erases them on
// the laptop too, and the laptop cannot name them again.
func TestRetentionErasureReachesDevice(t *testing.T) {
	srv := startServer(t, filepath.Join(t.TempDir(), "server"), nil)
	tw := testTownships[0]
	a := newSite(t, srv, tw, "site", agent.Options{})
	village := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)[0]
	idn, err := schema.CompleteIDNumber(string(tw[:6]) + "19400101001")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := a.st.Put(schema.KindPerson, "", village, schema.Person{Name: "赵德明", IDNumber: idn, BirthDate: "1940-01-01",
		Categories: []schema.PersonCategory{schema.CatOldest}, Status: schema.PersonDied, LeftOn: "2020-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	a.mustSync(t)

	res, err := srv.srv.ErasePersons(context.Background(), syncserver.ErasureRequest{Unit: tw[:6], KeepYears: 3})
	if err != nil || len(res.Erased) != 1 || res.Erased[0].ID != ch.ID {
		t.Fatalf("retention run = %+v, %v; want the one person erased", res, err)
	}
	a.mustSync(t)

	_, v, err := a.st.GetTyped(schema.KindPerson, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := *v.(*schema.Person)
	if p.Name != "" || p.IDNumber != "" || p.BirthDate != "" || !p.Erased() || !p.Has(schema.CatOldest) {
		t.Fatalf("the laptop's record after sync = %+v, want the identity erased and the category kept", p)
	}
	p.Name = "赵德明"
	if _, err := a.st.Put(schema.KindPerson, ch.ID, village, p); err == nil {
		t.Fatal("the laptop named an erased person again")
	}
}
