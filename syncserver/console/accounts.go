package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/argon2"

	"laoxiao/internal/atomicfile"
	"laoxiao/schema"
)

// AccountsFile is the file in the server's data directory that holds the
// office accounts of the console.
//
// The accounts live in a file of their own, not in the store, because the
// store interface has no place for them yet. That is fine for the embedded
// default (one server, one data directory); a deployment where several
// servers share one PostgreSQL database will need the accounts in the
// database, or an account added on one server is unknown to the others.
const AccountsFile = "console-accounts.json"

// ErrNoAccount is returned (wrapped) for an unknown account name.
var ErrNoAccount = errors.New("no such account")

// Account is an office account of the console: a person at a county or
// city office who signs in with a name and a password and sees the unit
// and everything below it.
type Account struct {
	// Name is what the person types at sign-in; unique.
	Name string `json:"name"`
	// Unit is the division the account may see: the unit and every unit
	// whose code starts with it. Always a valid code, never empty (an
	// empty scope would contain every unit in the country).
	Unit     schema.Code `json:"unit"`
	Created  time.Time   `json:"created"`
	Disabled bool        `json:"disabled,omitempty"`
	// PersonalData is the personal-data permission: the account may
	// reveal one person's full name and ID number at a time, with a
	// reason, every reveal logged. Without it persons are only masked.
	PersonalData bool `json:"personal_data,omitempty"`
	// Hash is argon2id(password, Salt) with the parameters in Params, so
	// the parameters can be raised later without breaking old accounts.
	Hash   []byte       `json:"hash"`
	Salt   []byte       `json:"salt"`
	Params Argon2Params `json:"params"`
}

// Argon2Params are the argon2id cost parameters of one hash.
type Argon2Params struct {
	Time    uint32 `json:"time"`
	MemoryK uint32 `json:"memory_kib"`
	Threads uint8  `json:"threads"`
	KeyLen  uint32 `json:"key_len"`
}

// DefaultArgon2 follows the OWASP minimum for argon2id (19 MiB, two
// passes): a sign-in costs tens of milliseconds, a stolen file costs a
// guesser the same per try.
var DefaultArgon2 = Argon2Params{Time: 2, MemoryK: 19 * 1024, Threads: 1, KeyLen: 32}

// AccountInfo is an account without its hash, for listing.
type AccountInfo struct {
	Name         string      `json:"name"`
	Unit         schema.Code `json:"unit"`
	Created      time.Time   `json:"created"`
	Disabled     bool        `json:"disabled"`
	PersonalData bool        `json:"personal_data"`
}

// info is the account without its hash.
func (acc *Account) info() AccountInfo {
	return AccountInfo{Name: acc.Name, Unit: acc.Unit, Created: acc.Created, Disabled: acc.Disabled, PersonalData: acc.PersonalData}
}

// Accounts is the set of office accounts, kept in AccountsFile. Every
// change is written to a temporary file, fsynced and renamed over the old
// one before the call returns, so a crash leaves the old set or the new.
//
// Only one process may change the file: the running server when there is
// one (the syncserver users commands go through its admin API), else the
// command itself.
type Accounts struct {
	path string
	now  func() time.Time
	// hashSem bounds concurrent argon2 computations: each takes 19 MiB,
	// and a burst of sign-in attempts must not exhaust the server.
	hashSem chan struct{}
	// params are the costs of new hashes (DefaultArgon2); the tests of
	// this package lower them, production never does.
	params Argon2Params

	mu   sync.Mutex
	list map[string]*Account
}

// OpenAccounts reads the accounts of a data directory; a missing file is
// an empty set. now may be nil (time.Now).
func OpenAccounts(dataDir string, now func() time.Time) (*Accounts, error) {
	if now == nil {
		now = time.Now
	}
	a := &Accounts{path: filepath.Join(dataDir, AccountsFile), now: now, hashSem: make(chan struct{}, 2),
		params: DefaultArgon2, list: map[string]*Account{}}
	raw, err := os.ReadFile(a.path)
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read console accounts: %w", err)
	}
	var f accountsFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("read console accounts %s: %w", a.path, err)
	}
	for i := range f.Accounts {
		acc := f.Accounts[i]
		a.list[acc.Name] = &acc
	}
	return a, nil
}

type accountsFile struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
}

// checkName refuses names a person could not type or read back.
func checkName(name string) error {
	if name == "" || len([]rune(name)) > 64 {
		return fmt.Errorf("account name must have 1 to 64 characters")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("account name %q has a space or control character", name)
		}
	}
	return nil
}

// Add creates an account. The unit must be a valid division code; the
// password at least 8 characters. An existing name is refused, so a typo
// cannot silently replace someone's password.
func (a *Accounts) Add(name string, unit schema.Code, password string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if _, err := schema.ParseCode(string(unit)); err != nil {
		return fmt.Errorf("account unit: %w", err)
	}
	if len([]rune(password)) < 8 {
		return fmt.Errorf("password must have at least 8 characters")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("account salt: %w", err)
	}
	acc := &Account{Name: name, Unit: unit, Created: a.now().UTC(), Salt: salt, Params: a.params}
	acc.Hash = a.hash(password, acc.Salt, acc.Params)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.list[name]; ok {
		return fmt.Errorf("account %q exists already", name)
	}
	a.list[name] = acc
	if err := a.saveLocked(); err != nil {
		delete(a.list, name)
		return err
	}
	return nil
}

// Disable stops an account from signing in; its open sessions end at
// their next request (the console looks the account up every time).
func (a *Accounts) Disable(name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc, ok := a.list[name]
	if !ok {
		return fmt.Errorf("disable %q: %w", name, ErrNoAccount)
	}
	if acc.Disabled {
		return nil
	}
	acc.Disabled = true
	if err := a.saveLocked(); err != nil {
		acc.Disabled = false
		return err
	}
	return nil
}

// SetPersonalData grants (on) or withdraws the personal-data permission;
// open sessions see the change at their next request.
func (a *Accounts) SetPersonalData(name string, on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc, ok := a.list[name]
	if !ok {
		return fmt.Errorf("personal-data permission of %q: %w", name, ErrNoAccount)
	}
	was := acc.PersonalData
	acc.PersonalData = on
	if err := a.saveLocked(); err != nil {
		acc.PersonalData = was
		return err
	}
	return nil
}

// List returns every account without hashes, by name.
func (a *Accounts) List() []AccountInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]AccountInfo, 0, len(a.list))
	for _, acc := range a.list {
		out = append(out, acc.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns an enabled account by name.
func (a *Accounts) Lookup(name string) (AccountInfo, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc, ok := a.list[name]
	if !ok || acc.Disabled {
		return AccountInfo{}, false
	}
	return acc.info(), true
}

// Verify checks a password. It returns false for an unknown or disabled
// account too, after spending the same hashing work, so the answer's
// timing does not tell a guesser which names exist.
func (a *Accounts) Verify(name, password string) (AccountInfo, bool) {
	a.mu.Lock()
	acc, ok := a.list[name]
	var cp Account
	if ok {
		cp = *acc
	}
	a.mu.Unlock()
	if !ok {
		cp = Account{Salt: make([]byte, 16), Params: a.params, Hash: make([]byte, a.params.KeyLen)}
	}
	got := a.hash(password, cp.Salt, cp.Params)
	match := subtle.ConstantTimeCompare(got, cp.Hash) == 1
	if !ok || !match || cp.Disabled {
		return AccountInfo{}, false
	}
	return cp.info(), true
}

func (a *Accounts) hash(password string, salt []byte, p Argon2Params) []byte {
	a.hashSem <- struct{}{}
	defer func() { <-a.hashSem }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.MemoryK, p.Threads, p.KeyLen)
}

// saveLocked writes the set atomically and durably: temp file, fsync,
// rename, fsync of the directory (without it the rename may not survive
// a power cut). Call with a.mu held.
func (a *Accounts) saveLocked() error {
	f := accountsFile{Version: 1}
	for _, acc := range a.list {
		f.Accounts = append(f.Accounts, *acc)
	}
	sort.Slice(f.Accounts, func(i, j int) bool { return f.Accounts[i].Name < f.Accounts[j].Name })
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode console accounts: %w", err)
	}
	return writeFileAtomic(a.path, append(raw, '\n'))
}

// writeFileAtomic makes the accounts file's folder if needed and
// replaces the file whole (internal/atomicfile).
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return atomicfile.Write(path, data)
}

// normaliseName trims what a form or a shell may add around a name.
func normaliseName(s string) string { return strings.TrimSpace(s) }
