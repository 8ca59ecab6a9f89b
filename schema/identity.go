package schema

// IdentityFields are the person fields that name someone: what the
// county's retention erasure blanks on the server (syncserver's
// ErasePersons) and on every device (the agent strips them from its kept
// changes too), and what validation refuses on an erased person. The
// order is Person.Identity's.
var IdentityFields = []string{"name", "id_number", "birth_date"}

// Identity returns the person's values of IdentityFields, in that order.
func (p Person) Identity() []string { return []string{p.Name, p.IDNumber, p.BirthDate} }

// HasIdentity reports whether any identifying field is set.
func (p Person) HasIdentity() bool {
	for _, v := range p.Identity() {
		if v != "" {
			return true
		}
	}
	return false
}
