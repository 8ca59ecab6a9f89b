package synth

import (
	"math"
	"testing"

	"laoxiao/schema"
)

// TestPlanMatchesYaanBaseline checks the generated data adds up to what
// the 雅安 plan states, so the city row of the breakdown table reproduces
// the plan's ratios.
func TestPlanMatchesYaanBaseline(t *testing.T) {
	towns, err := PlanCity(schema.BuiltinDivisions(), schema.BuiltinCity, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if len(towns) != 96 {
		t.Fatalf("%d townships, want 96", len(towns))
	}
	var inst, comm, instBeds, commBeds, nursing, places, staff, filed, socialized int64
	var pop60, resident int64
	for _, tw := range towns {
		pop60 += tw.Population.Aged60
		resident += tw.Population.Resident
		for _, f := range tw.Facilities {
			last := f.Reports[len(f.Reports)-1]
			if last.Period != PlanMonths[len(PlanMonths)-1] {
				t.Fatalf("last report period %s", last.Period)
			}
			info, _ := f.Facility.Kind.Info()
			switch {
			case info.Domain == schema.DomainElderly && info.Institution:
				inst++
				instBeds += last.BedsTotal
				nursing += last.BedsNursing
			case info.Domain == schema.DomainElderly:
				comm++
				commBeds += last.BedsTotal
			default:
				places += last.PlacesTotal
				staff += last.CareStaff
				if f.Facility.Filing == schema.FilingFiled && f.Facility.Kind == schema.FKChildcareInst {
					filed++
				}
			}
			if f.Facility.Ownership != schema.OwnPublic && info.Domain == schema.DomainElderly {
				socialized += last.BedsTotal
			}
			for _, c := range f.Reports {
				c.Facility = "f" // filled in when the facility is created
				if p := schema.ValidateRecord(schema.KindCapacity, f.Unit, c, schema.ValidationContext{Divisions: schema.BuiltinDivisions()}); len(p) > 0 {
					t.Errorf("invalid report: %v", p)
				}
				if c.BedsNursing > c.BedsTotal || c.PlacesInclusive > c.PlacesTotal {
					t.Errorf("report breaks a cross-field rule: %+v", c)
				}
			}
		}
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"institutions", inst, InstitutionCount}, {"institution beds", instBeds, InstitutionBeds},
		{"community facilities", comm, CommunityCount}, {"community beds", commBeds, CommunityBeds},
		{"childcare places", places, ChildcarePlaces}, {"childcare staff", staff, ChildcareStaff},
		{"filed childcare institutions", filed, FiledChildcare}, {"aged 60+", pop60, Aged60Total},
		{"residents", resident, ResidentTotal},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	perThousand := float64(instBeds+commBeds) / float64(pop60) * 1000
	if math.Abs(perThousand-37.8) > 0.05 {
		t.Errorf("beds per 1,000 aged 60+: %.2f, want 37.8 as the plan states", perThousand)
	}
	if share := float64(nursing) / float64(instBeds) * 100; math.Abs(share-38) > 0.05 {
		t.Errorf("nursing-bed share %.2f%%, want 38%%", share)
	}
	if share := float64(socialized) / float64(instBeds+commBeds) * 100; math.Abs(share-50) > 0.05 {
		t.Errorf("socialised bed share %.2f%%, want 50%%", share)
	}
}
