package agent

import (
	"testing"
	"time"

	"laoxiao/schema"
)

func TestMetaAccessorsPersist(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	if _, ok, err := s.Enrollment(); ok || err != nil {
		t.Fatalf("enrollment before enrolling: %v %v", ok, err)
	}
	if sc, _ := s.Scope(); sc != "" {
		t.Fatalf("scope before enrolling = %q", sc)
	}
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	if err := s.SetEnrollment(Enrollment{ServerURL: "https://sync.example.cn", Token: "tok", EnrolledAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetScope(township); err != nil {
		t.Fatal(err)
	}
	if err := s.SetScope("511802999"); err == nil {
		t.Fatal("scope of an unknown unit accepted")
	}
	if err := s.SetLastSync(SyncResult{At: at, Uploaded: 3}); err != nil {
		t.Fatal(err)
	}
	// A failed attempt keeps the time of the last good one.
	if err := s.SetLastSync(SyncResult{At: at.Add(time.Hour), Error: "network unreachable"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyRemote(nil, 42); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, dir, Options{})
	e, ok, err := s.Enrollment()
	if err != nil || !ok || e.ServerURL != "https://sync.example.cn" || e.Token != "tok" || !e.EnrolledAt.Equal(at) {
		t.Fatalf("enrollment after reopen = %+v %v %v", e, ok, err)
	}
	st, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Scope != township || st.Cursor != 42 || !st.Enrolled || st.ServerURL != e.ServerURL {
		t.Fatalf("status = %+v", st)
	}
	if st.LastSync.Error == "" || !st.LastSync.LastOK.Equal(at) {
		t.Fatalf("last sync = %+v", st.LastSync)
	}
	// Writes outside the scope are refused from now on.
	if _, err := s.Put(schema.KindFacility, "", "511802002001", facility("x")); !hasProblem(err, "facility.unit") {
		t.Fatalf("write outside scope: %v", err)
	}
	mustPut(t, s, schema.KindFacility, "", village, facility("inside"))
}
