package badgerstore

import (
	"context"
	"testing"
)

// TestIncarnation: a new store has an id, a reopen keeps it, and
// NewIncarnation replaces it durably.
func TestIncarnation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.Incarnation(ctx)
	if err != nil || len(first) != 32 {
		t.Fatalf("new store's incarnation = %q, %v; want 32 hex digits", first, err)
	}
	db.Close()

	db, err = Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := db.Incarnation(ctx); err != nil || again != first {
		t.Fatalf("after reopen: %q, %v; want %q", again, err, first)
	}
	next, err := db.NewIncarnation(ctx)
	if err != nil || next == first {
		t.Fatalf("NewIncarnation = %q, %v; want a new id", next, err)
	}
	db.Close()

	db, err = Open(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Incarnation(ctx); err != nil || got != next {
		t.Fatalf("after NewIncarnation and reopen: %q, %v; want %q", got, err, next)
	}
	other, err := Open(t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if id, _ := other.Incarnation(ctx); id == next || id == first {
		t.Fatalf("two stores share incarnation %q", id)
	}
}
