package schema

import (
	"slices"
	"strings"
	"testing"
)

// TestTargetExtraFields: the attribute and scope take their listed values
// only; departments are free text as the plans write them.
func TestTargetExtraFields(t *testing.T) {
	ok := validTarget()
	ok.Attribute, ok.Lead, ok.Cooperating, ok.Scope = AttrBinding, "区民政局", "区财政局、区卫生健康委", ScopeEachBelow
	if ps := ValidateRecord(KindTarget, "5118", &ok, ValidationContext{}); len(ps) != 0 {
		t.Fatalf("valid target refused: %v", ps)
	}
	if !ok.Binding() || ok.Scope.Label() == "" || ScopeTotal.Label() != "" {
		t.Errorf("Binding %v, scope label %q", ok.Binding(), ok.Scope.Label())
	}
	for _, tc := range []struct {
		field string
		edit  func(*Target)
	}{
		{"target.attribute", func(g *Target) { g.Attribute = "必须" }},
		{"target.scope", func(g *Target) { g.Scope = "everywhere" }},
	} {
		g := ok
		tc.edit(&g)
		ps := ValidateRecord(KindTarget, "5118", &g, ValidationContext{})
		if len(ps) != 1 || ps[0].Field != tc.field {
			t.Errorf("%s: problems %v", tc.field, ps)
		}
	}
}

// TestTargetStoredBeforeReads: a target stored before the new fields
// (its CBOR map has none of their keys) reads with them empty, and one
// stored now keeps the old keys as they were, so old and new binaries
// read each other's targets.
func TestTargetStoredBeforeReads(t *testing.T) {
	old := validTarget()
	f, err := EncodeFields(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"attribute", "lead", "cooperating", "scope"} {
		delete(f, k)
	}
	var got Target
	if err := DecodeFields(f, &got); err != nil {
		t.Fatal(err)
	}
	if got != old || got.Attribute != AttrUnstated || got.Scope != ScopeTotal {
		t.Errorf("old target reads as %+v", got)
	}
	now := old
	now.Lead, now.Scope = "市民政局", ScopeEachBelow
	nf, err := EncodeFields(now)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range f {
		if string(nf[k]) != string(v) {
			t.Errorf("field %s encodes differently now", k)
		}
	}
	var keys []string
	for k := range nf {
		if _, had := f[k]; !had {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if strings.Join(keys, ",") != "attribute,cooperating,lead,scope" {
		t.Errorf("new keys %v, want exactly attribute, cooperating, lead, scope", keys)
	}
}
