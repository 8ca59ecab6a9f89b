package agent

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/argon2"

	"laoxiao/internal/atomicfile"
)

// kdfFile holds what is needed to turn the passphrase back into the key:
// the salt and the argon2id parameters. It is plain JSON because the store
// cannot be read before the key exists. Its presence is also how Open tells
// an encrypted store from a plain one.
const kdfFile = "laoxiao-kdf"

// ErrWrongPassphrase is returned by Open when the passphrase does not
// unlock the store.
var ErrWrongPassphrase = errors.New("wrong passphrase (密码错误)")

// ErrPassphraseRequired is returned by Open when the store is encrypted and
// no passphrase was given.
var ErrPassphraseRequired = errors.New("store is encrypted: a passphrase is required (数据已加密，需要密码)")

// ErrNotEncrypted is returned by Open when a passphrase is given for a store
// created without one. Silently ignoring the passphrase would let the user
// believe the data is protected when it is not.
var ErrNotEncrypted = errors.New("store was created without a passphrase; open it without one (数据未加密，请勿输入密码)")

// kdfParams are the argon2id parameters and salt of one store.
type kdfParams struct {
	Version   int    `json:"version"`
	KDF       string `json:"kdf"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
	// Check is a hash of the derived key. It lets Open say "wrong
	// passphrase" before Badger fails with its own less helpful error, and
	// reveals nothing Badger's key registry does not already.
	Check []byte `json:"check"`
}

// defaultKDF is what a new store uses: 64 MiB and two passes cost a township
// laptop a fraction of a second at start-up and an attacker as much per
// guess. Tests lower it to keep the race detector's runs short.
var defaultKDF = kdfParams{Version: 1, KDF: "argon2id", Time: 2, MemoryKiB: 64 << 10, Threads: 2}

func (p kdfParams) derive(passphrase string) []byte {
	return argon2.IDKey([]byte(passphrase), p.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
}

func keyCheck(key []byte) []byte {
	h := sha256.Sum256(append([]byte("laoxiao-kdf-check\x00"), key...))
	return h[:]
}

// encryptionKey returns the Badger key for the store in dir, or nil for a
// plain store, creating the KDF file for a new encrypted store. It refuses
// every mismatch between the passphrase and how the store was created.
func encryptionKey(dir, passphrase string) ([]byte, error) {
	path := filepath.Join(dir, kdfFile)
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if passphrase == "" {
			return nil, nil
		}
		if hasBadgerFiles(dir) {
			return nil, ErrNotEncrypted
		}
		return newKDF(path, passphrase)
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if passphrase == "" {
		return nil, ErrPassphraseRequired
	}
	var p kdfParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if p.KDF != "argon2id" || len(p.Salt) < 16 || p.Time == 0 || p.MemoryKiB == 0 || p.Threads == 0 {
		return nil, fmt.Errorf("read %s: unsupported or damaged key parameters", path)
	}
	key := p.derive(passphrase)
	if subtle.ConstantTimeCompare(keyCheck(key), p.Check) != 1 {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}

func newKDF(path, passphrase string) ([]byte, error) {
	p := defaultKDF
	p.Salt = make([]byte, 16)
	if _, err := rand.Read(p.Salt); err != nil {
		return nil, fmt.Errorf("make salt: %w", err)
	}
	key := p.derive(passphrase)
	p.Check = keyCheck(key)
	raw, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode key parameters: %w", err)
	}
	// Written and synced before Badger creates anything: a store whose
	// salt was lost could never be opened again.
	if err := atomicfile.Write(path, raw); err != nil {
		return nil, err
	}
	return key, nil
}

// hasBadgerFiles reports whether dir already holds a Badger database.
func hasBadgerFiles(dir string) bool {
	for _, name := range []string{"MANIFEST", "KEYREGISTRY"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
