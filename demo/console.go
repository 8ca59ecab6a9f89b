package demo

import (
	"fmt"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/console"
)

// DemoPassword is the password of the demo's console accounts (and the
// townships' passphrase): printed by the demo, for demo data only.
const DemoPassword = "laoxiao-demo"

// demoAccount is an office account the demo makes for its console.
type demoAccount struct {
	name     string
	unit     schema.Code
	personal bool // the personal-data permission
}

// consoleAccounts makes the demo's office accounts in the server's data
// directory: the city, and one county with the personal-data permission,
// so a newcomer can try every page, a reveal included.
func consoleAccounts(serverDir string, city schema.Code, county schema.Code) ([]demoAccount, error) {
	accts, err := console.OpenAccounts(serverDir, nil)
	if err != nil {
		return nil, fmt.Errorf("demo console accounts: %w", err)
	}
	list := []demoAccount{{"city", city, false}, {"county", county, true}}
	for _, a := range list {
		if err := accts.Add(a.name, a.unit, DemoPassword); err != nil {
			return nil, fmt.Errorf("demo console account %s: %w", a.name, err)
		}
		if a.personal {
			if err := accts.SetPersonalData(a.name, true); err != nil {
				return nil, fmt.Errorf("demo console account %s: %w", a.name, err)
			}
		}
	}
	return list, nil
}

// offerConsole makes the console accounts and says how to open the
// console on the demo's data.
func offerConsole(serverDir string, city, county schema.Code, say func(string, ...any)) error {
	list, err := consoleAccounts(serverDir, city, county)
	if err != nil {
		return err
	}
	var who []string
	for _, a := range list {
		perm := ""
		if a.personal {
			perm = ", may reveal persons"
		}
		who = append(who, fmt.Sprintf("%s (%s%s)", a.name, a.unit, perm))
	}
	say("\n办公控制台 / office console: run `make serve`, open http://127.0.0.1:8471/ and sign in as %s, password %s",
		strings.Join(who, " or "), DemoPassword)
	return nil
}
