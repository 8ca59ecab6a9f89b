package township

import "laoxiao/schema"

// RegisteredAs returns the person of ps already registered with idNumber
// (compared as schema.NormalizeIDNumber spells it, the rule the server's
// duplicate detection uses), other than the one with id except: what the
// desktop warns about before a second registration ("此身份证号已登记为
// …"). A merged duplicate does not count, its survivor does; an empty or
// incomplete number matches nobody.
func RegisteredAs(ps []Person, idNumber, except string) (Person, bool) {
	id := schema.NormalizeIDNumber(idNumber)
	if len(id) != 18 {
		return Person{}, false
	}
	for _, p := range ps {
		if p.ID != except && p.MergedInto == "" && schema.NormalizeIDNumber(p.IDNumber) == id {
			return p, true
		}
	}
	return Person{}, false
}
