package syncserver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"laoxiao/syncserver/store/badgerstore"
)

// KeyEnv is the environment variable that may hold the store's master key
// (64 hex digits) instead of a key file. The key is never a command-line
// value: those show up in ps and in shell history.
const KeyEnv = "LAOXIAO_SERVER_KEY"

// ErrKeyFilePermissions is returned by LoadKey for a key file others than
// its owner may read: a key anyone on the machine can copy protects
// nothing.
var ErrKeyFilePermissions = errors.New("key file is readable by others than its owner (chmod 600 it)")

// LoadKey returns the master key from file when file is not empty, else
// from the KeyEnv environment variable, else nil (a plain store). Both
// hold 64 hex digits (32 bytes; surrounding space ignored). Giving both is
// refused rather than guessing which one the operator meant.
func LoadKey(file string) ([]byte, error) {
	env, inEnv := os.LookupEnv(KeyEnv)
	switch {
	case file != "" && inEnv:
		return nil, fmt.Errorf("server key: both --key-file and %s are set; give one", KeyEnv)
	case inEnv:
		k, err := parseKey(env)
		if err != nil {
			return nil, fmt.Errorf("server key in %s: %w", KeyEnv, err)
		}
		return k, nil
	case file == "":
		return nil, nil
	}
	return ReadKeyFile(file)
}

// ReadKeyFile reads a master key from file, refusing a file others than
// its owner may read (ErrKeyFilePermissions; not checked on Windows).
func ReadKeyFile(file string) ([]byte, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("server key %s (mode %v): %w", file, fi.Mode().Perm(), ErrKeyFilePermissions)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	k, err := parseKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("server key %s: %w", file, err)
	}
	return k, nil
}

func parseKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != badgerstore.KeySize {
		return nil, fmt.Errorf("want %d hex digits (make one with: syncserver key new --out FILE)", 2*badgerstore.KeySize)
	}
	return k, nil
}

// NewKeyFile writes a new random master key to path (mode 0600). It never
// overwrites a file: replacing the key of an encrypted store makes the
// store unreadable.
func NewKeyFile(path string) error {
	k := make([]byte, badgerstore.KeySize)
	if _, err := rand.Read(k); err != nil {
		return fmt.Errorf("new key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("new key: %w", err)
	}
	if _, err := fmt.Fprintln(f, hex.EncodeToString(k)); err != nil {
		f.Close()
		return fmt.Errorf("new key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("new key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("new key %s: %w", path, err)
	}
	return nil
}

// RotateKey replaces the master key of the (stopped) server's store in
// dataDir; see badgerstore.RotateKey.
func RotateKey(dataDir string, oldKey, newKey []byte) error {
	return badgerstore.RotateKey(storeDir(dataDir), oldKey, newKey, nil)
}

// StoreEncrypted reports whether the server store in dataDir was created
// with a key.
func StoreEncrypted(dataDir string) (bool, error) {
	return badgerstore.Encrypted(storeDir(dataDir))
}

// Encrypted reports whether the server's store is encrypted at rest.
func (s *Server) Encrypted() bool { return s.cfg.Key != nil }
