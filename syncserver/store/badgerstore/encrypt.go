package badgerstore

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/internal/atomicfile"
	"laoxiao/internal/badgerlock"
	"laoxiao/syncserver/store"
)

// KeySize is the length of a master key: 32 bytes, so Badger uses AES-256.
const KeySize = 32

// markerFile says a store is encrypted and which master key it was last
// opened with (a hash, see keyCheck). It lives in the Badger directory so
// it travels with a copy of it. It is plain JSON: it must be readable
// before the key is known, and it is only used to explain a refusal —
// Badger's own key registry is what actually checks the key.
const markerFile = "laoxiao-encryption"

// indexCacheSize holds decrypted table indexes. Badger requires a cache
// when tables are encrypted (it will not keep the decrypted indexes of
// every table in memory otherwise), and a miss costs a decryption.
const indexCacheSize = 64 << 20

// Options configure OpenWith. The zero value is a plain store logging to
// slog.Default().
type Options struct {
	// Logger receives Badger's warnings; slog.Default() when nil.
	Logger *slog.Logger
	// Key, when not nil, is the master key (KeySize bytes). A new store is
	// then encrypted at rest: Badger encrypts every table, value log and
	// write-ahead file with data keys, and keeps the data keys in its key
	// registry encrypted under this master key. The same key must be given
	// at every open; RotateKey replaces it.
	Key []byte
	// DataKeyRotation is how long Badger uses one data key before making
	// the next (Badger's default of 10 days when zero). Older data keys
	// stay in the registry for the files they encrypted.
	DataKeyRotation time.Duration
}

type marker struct {
	Version  int    `json:"version"`
	Cipher   string `json:"cipher"`
	KeyCheck string `json:"key_check"`
}

// keyCheck is a hash of the master key: it lets Open say "wrong key"
// rather than Badger's "Encryption key mismatch", and reveals nothing
// about a random 256-bit key.
func keyCheck(key []byte) string {
	h := sha256.Sum256(append([]byte("laoxiao-server-key-check\x00"), key...))
	return hex.EncodeToString(h[:])
}

// OpenWith opens (creating if needed) the store in dir. Writes are synced
// to disk before Commit returns. It fails with an error that errors.Is
//   - store.ErrLocked when another process holds the directory (checked
//     first, so admin commands can fall back to the running server's API
//     without having the key);
//   - store.ErrKeyRequired for an encrypted store opened without a key;
//   - store.ErrWrongKey when the key does not decrypt it;
//   - store.ErrNotEncrypted when a key is given for a plain store: it is
//     never silently opened unencrypted.
func OpenWith(dir string, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Key != nil && len(o.Key) != KeySize {
		return nil, fmt.Errorf("open server store %s: the key is %d bytes, want %d", dir, len(o.Key), KeySize)
	}
	mk, err := readMarker(dir)
	if err != nil {
		return nil, fmt.Errorf("open server store %s: %w", dir, err)
	}
	if o.Key != nil && mk == nil {
		if hasBadgerFiles(dir) {
			return nil, fmt.Errorf("open server store %s: %w", dir, store.ErrNotEncrypted)
		}
		// Written before Badger creates anything, so an encrypted store
		// always says so.
		if err := writeMarker(dir, o.Key); err != nil {
			return nil, fmt.Errorf("open server store %s: %w", dir, err)
		}
	}
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(slogLogger{o.Logger.With("component", "badger")}).
		WithNumVersionsToKeep(1).
		WithMetricsEnabled(false)
	if o.Key != nil {
		opts = opts.WithEncryptionKey(o.Key).WithIndexCacheSize(indexCacheSize)
		if o.DataKeyRotation > 0 {
			opts = opts.WithEncryptionKeyRotationDuration(o.DataKeyRotation)
		}
	}
	db, err := badger.Open(opts)
	if err != nil {
		switch {
		case badgerlock.Held(err):
			err = fmt.Errorf("%w: %v", store.ErrLocked, err)
		case errors.Is(err, badger.ErrEncryptionKeyMismatch):
			err = explainMismatch(mk, o.Key)
		}
		return nil, fmt.Errorf("open server store %s: %w", dir, err)
	}
	if o.Key != nil && mk != nil && !mk.keyMatches(o.Key) {
		// Badger accepted the key, so a rotation stopped between the key
		// registry and the marker: bring the marker up to date.
		if err := writeMarker(dir, o.Key); err != nil {
			db.Close()
			return nil, fmt.Errorf("open server store %s: %w", dir, err)
		}
	}
	s := &DB{db: db, key: o.Key}
	if err := s.ensureIncarnation(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open server store %s: %w", dir, err)
	}
	return s, nil
}

// explainMismatch names what is wrong when Badger's key registry refused
// the key (or its absence).
func explainMismatch(mk *marker, key []byte) error {
	switch {
	case key == nil:
		return store.ErrKeyRequired
	case mk == nil:
		return store.ErrNotEncrypted
	default:
		return store.ErrWrongKey
	}
}

// Encrypted reports whether the store in dir was created with a key.
func Encrypted(dir string) (bool, error) {
	mk, err := readMarker(dir)
	return mk != nil, err
}

// RotateKey re-encrypts the store's data keys under newKey; the data
// itself is not rewritten (it is encrypted with the data keys, which do
// not change). The store must not be open: RotateKey opens it with oldKey
// first, which proves the key and takes the directory's lock, and fails
// like OpenWith when either does not hold. After it returns, only newKey
// opens the store; copies of the directory made before still open with
// oldKey only.
func RotateKey(dir string, oldKey, newKey []byte, log *slog.Logger) error {
	if len(newKey) != KeySize {
		return fmt.Errorf("rotate key of %s: the new key is %d bytes, want %d", dir, len(newKey), KeySize)
	}
	if oldKey == nil {
		return fmt.Errorf("rotate key of %s: %w", dir, store.ErrKeyRequired)
	}
	db, err := OpenWith(dir, Options{Key: oldKey, Logger: log})
	if err != nil {
		return fmt.Errorf("rotate key: %w", err)
	}
	// Closed before the registry is rewritten: Badger rewrites it itself
	// when it makes a data key, and must not race this rewrite.
	if err := db.Close(); err != nil {
		return fmt.Errorf("rotate key of %s: close: %w", dir, err)
	}
	reg, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dir, ReadOnly: true, EncryptionKey: oldKey})
	if err != nil {
		return fmt.Errorf("rotate key of %s: read key registry: %w", dir, err)
	}
	defer reg.Close()
	if err := badger.WriteKeyRegistry(reg, badger.KeyRegistryOptions{Dir: dir, EncryptionKey: newKey}); err != nil {
		return fmt.Errorf("rotate key of %s: write key registry: %w", dir, err)
	}
	if err := writeMarker(dir, newKey); err != nil {
		return fmt.Errorf("rotate key of %s: %w", dir, err)
	}
	return nil
}

func readMarker(dir string) (*marker, error) {
	raw, err := os.ReadFile(filepath.Join(dir, markerFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", markerFile, err)
	}
	var mk marker
	if err := json.Unmarshal(raw, &mk); err != nil || mk.Version != 1 {
		return nil, fmt.Errorf("read %s: damaged or of a later version", markerFile)
	}
	return &mk, nil
}

// keyMatches reports whether key is the one the marker was written with.
func (mk *marker) keyMatches(key []byte) bool {
	return subtle.ConstantTimeCompare([]byte(mk.KeyCheck), []byte(keyCheck(key))) == 1
}

func writeMarker(dir string, key []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	raw, err := json.MarshalIndent(marker{Version: 1, Cipher: "AES-256 (Badger data keys under a master key)", KeyCheck: keyCheck(key)}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", markerFile, err)
	}
	return atomicfile.Write(filepath.Join(dir, markerFile), raw)
}

// hasBadgerFiles reports whether dir already holds a Badger database.
func hasBadgerFiles(dir string) bool {
	for _, name := range []string{"MANIFEST", badger.KeyRegistryFileName} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
