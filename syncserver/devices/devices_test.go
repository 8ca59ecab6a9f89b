package devices

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

func newRegistry(t *testing.T, now *time.Time) *Registry {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Registry{St: st, Divisions: schema.BuiltinDivisions, Now: func() time.Time { return *now }}
}

func TestEnrolAndAuthenticate(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := newRegistry(t, &now)
	ctx := context.Background()
	code, err := r.NewCode(ctx, "511802101", "草坝镇", store.RoleSite, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Codes are read over the phone: case and dashes do not matter.
	e, err := r.Trade(ctx, strings.ToLower(strings.ReplaceAll(code, "-", "")), "dev-1", "")
	if err != nil {
		t.Fatalf("trade: %v", err)
	}
	if e.Device.Scope != "511802101" || e.Device.Name != "草坝镇" || e.Device.Role != store.RoleSite {
		t.Fatalf("device %+v", e.Device)
	}
	if _, err := r.Trade(ctx, code, "dev-2", ""); !errors.Is(err, ErrAuth) {
		t.Fatalf("second trade of one code: %v, want ErrAuth", err)
	}
	d, err := r.Authenticate(ctx, e.Token)
	if err != nil || d.ID != "dev-1" {
		t.Fatalf("authenticate: %v %+v", err, d)
	}
	id, sec, _ := strings.Cut(e.Token, ".")
	for name, tok := range map[string]string{
		"wrong secret":   id + "." + strings.Repeat("A", len(sec)),
		"unknown device": "dev-9." + sec,
		"no secret":      id,
		"empty":          "",
	} {
		if _, err := r.Authenticate(ctx, tok); !errors.Is(err, ErrAuth) {
			t.Errorf("%s: %v, want ErrAuth", name, err)
		}
	}
	if err := r.Revoke(ctx, "dev-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Authenticate(ctx, e.Token); !errors.Is(err, ErrAuth) {
		t.Fatalf("revoked token: %v, want ErrAuth", err)
	}
	// The store keeps only a hash of the token.
	stored, _ := r.St.Device(ctx, "dev-1")
	if strings.Contains(string(stored.TokenHash), sec) {
		t.Fatal("token stored in the clear")
	}
}

func TestCodeRules(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := newRegistry(t, &now)
	ctx := context.Background()
	for _, c := range []struct {
		unit schema.Code
		role store.Role
	}{
		{"999999", store.RoleOffice},   // no such unit
		{"511802", store.RoleSite},     // a site must be a township or village
		{"511802101", store.Role("x")}, // unknown role
	} {
		if _, err := r.NewCode(ctx, c.unit, "n", c.role, time.Hour); err == nil {
			t.Errorf("code for %s as %s: no error", c.unit, c.role)
		}
	}
	code, err := r.NewCode(ctx, "511802", "雨城区", store.RoleOffice, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := r.Trade(ctx, code, "dev-1", ""); !errors.Is(err, ErrAuth) {
		t.Fatalf("expired code: %v, want ErrAuth", err)
	}
	if _, err := r.Trade(ctx, "X", "bad.id", ""); err == nil || errors.Is(err, ErrAuth) {
		t.Fatalf("device id with a dot: %v, want a plain error", err)
	}
}
