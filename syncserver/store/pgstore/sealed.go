package pgstore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// The fields that identify a person — name and ID number — are encrypted
// by the server before they reach the database when the store has a key
// (the server's master key, --key-file): a dump of the database, or a
// look at its files, reveals nobody. Everything else stays plain, so the
// database can still be queried, indexed and backed up as usual.
//
// A sealed field's value is a CBOR byte string: sealMagic ‖ nonce ‖
// AES-256-GCM ciphertext of the field's plain CBOR bytes, with the
// record's kind, id and the field's name as additional data (a ciphertext
// moved to another record or field does not open). The sealed fields are
// text, so a byte string there is always a sealed value. (Not a CBOR tag:
// the stored-data decoder refuses tags.) The cipher is randomised, so equal ID
// numbers do not show as equal ciphertexts; lookup by ID number goes
// through id_hash beside the record, an HMAC-SHA-256 of the normalised
// number under a key derived from the master key (PersonsByIDNumber).
// Both keys are derived with HKDF, so the master key itself is used for
// nothing else here.

// sealedFields lists, per kind, the fields encrypted before they are
// stored.
var sealedFields = map[schema.Kind][]string{
	schema.KindPerson: {"name", "id_number"},
}

// sealMagic starts the content of every sealed value; ScanRecordsRaw
// looks for it to find the records it must decrypt.
var sealMagic = []byte("\x00LXS1")

// sealer encrypts and decrypts sealed fields; a nil *sealer keeps them
// plain (a store without a key).
type sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

func newSealer(key []byte) (*sealer, error) {
	if key == nil {
		return nil, nil
	}
	encKey, err := hkdf.Key(sha256.New, key, nil, "laoxiao pgstore person fields v1", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Key(sha256.New, key, nil, "laoxiao pgstore id number hash v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, macKey: macKey}, nil
}

// keyCheck is what the meta table keeps to tell the right key from a
// wrong one; it reveals nothing about a random 256-bit key.
func keyCheck(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("laoxiao pgstore key check v1"))
	return hex.EncodeToString(m.Sum(nil))
}

func aad(kind schema.Kind, id, field string) []byte {
	return []byte(string(kind) + "\x00" + id + "\x00" + field)
}

// sealFields returns f with the kind's sealed fields encrypted, and
// whether it is a copy (f itself is never modified).
func (s *sealer) sealFields(kind schema.Kind, id string, f schema.Fields) (schema.Fields, bool, error) {
	names := sealedFields[kind]
	if s == nil || len(names) == 0 || len(f) == 0 {
		return f, false, nil
	}
	var out schema.Fields
	for _, name := range names {
		v, ok := f[name]
		if !ok || isSealed(v) {
			continue
		}
		if out == nil {
			out = make(schema.Fields, len(f))
			for k, v := range f {
				out[k] = v
			}
		}
		nonce := make([]byte, s.aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, false, fmt.Errorf("seal %s %s %s: %w", kind, id, name, err)
		}
		ct := s.aead.Seal(append(append([]byte(nil), sealMagic...), nonce...), nonce, v, aad(kind, id, name))
		b, err := schema.Marshal(ct)
		if err != nil {
			return nil, false, err
		}
		out[name] = b
	}
	if out == nil {
		return f, false, nil
	}
	return out, true, nil
}

// errSealed is returned when a sealed field is read without the key.
var errSealed = errors.New("a person's field is encrypted and the store was opened without its key")

// openFields decrypts the sealed fields of f in place.
func (s *sealer) openFields(kind schema.Kind, id string, f schema.Fields) error {
	for name, v := range f {
		if !isSealed(v) {
			continue
		}
		if s == nil {
			return fmt.Errorf("%s %s %s: %w", kind, id, name, errSealed)
		}
		var ct []byte
		if err := schema.UnmarshalStored(v, &ct); err != nil {
			return fmt.Errorf("%s %s %s: %w", kind, id, name, err)
		}
		ct = ct[len(sealMagic):]
		ns := s.aead.NonceSize()
		if len(ct) < ns {
			return fmt.Errorf("%s %s %s: malformed sealed value", kind, id, name)
		}
		plain, err := s.aead.Open(nil, ct[:ns], ct[ns:], aad(kind, id, name))
		if err != nil {
			return fmt.Errorf("%s %s %s: %w", kind, id, name, store.ErrWrongKey)
		}
		f[name] = plain
	}
	return nil
}

// isSealed reports whether a field value is a sealed one: a CBOR byte
// string (major type 2) whose content starts with sealMagic.
func isSealed(v []byte) bool {
	if len(v) == 0 || v[0]>>5 != 2 {
		return false
	}
	var b []byte
	return schema.UnmarshalStored(v, &b) == nil && bytes.HasPrefix(b, sealMagic)
}

// sealRecord returns r with its sealed fields encrypted (r is not
// modified).
func (s *sealer) sealRecord(r *schema.Record) (*schema.Record, error) {
	f, copied, err := s.sealFields(r.Kind, r.ID, r.Fields)
	if err != nil || !copied {
		return r, err
	}
	c := *r
	c.Fields = f
	return &c, nil
}

// sealEntry returns e with its change's sealed fields encrypted.
func (s *sealer) sealEntry(e *store.LogEntry) (*store.LogEntry, error) {
	f, copied, err := s.sealFields(e.Change.Kind, e.Change.ID, e.Change.Set)
	if err != nil || !copied {
		return e, err
	}
	c := *e
	c.Change.Set = f
	return &c, nil
}

// idHash is the lookup hash of a person's ID number (nil for a record
// without one): HMAC-SHA-256 of the normalised number, keyed when the
// store has a key.
func (s *sealer) idHash(r *schema.Record) []byte {
	if r.Kind != schema.KindPerson {
		return nil
	}
	raw, ok := r.Fields["id_number"]
	if !ok {
		return nil
	}
	var id string
	if schema.UnmarshalStored(raw, &id) != nil || id == "" {
		return nil
	}
	return s.hashID(id)
}

func (s *sealer) hashID(id string) []byte {
	key := []byte("laoxiao pgstore id number hash, no key")
	if s != nil {
		key = s.macKey
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(schema.NormalizeIDNumber(id)))
	return m.Sum(nil)
}

// PersonsByIDNumber returns the persons whose ID number is id (after
// normalisation), through the hash beside each record: what duplicate
// detection needs, without decrypting every person.
func (s *Store) PersonsByIDNumber(ctx context.Context, id string) ([]*schema.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT value FROM laoxiao_records WHERE id_hash = $1 AND kind = $2 ORDER BY id`,
		s.seal.hashID(id), string(schema.KindPerson))
	if err != nil {
		return nil, fmt.Errorf("find persons by ID number: %w", err)
	}
	defer rows.Close()
	var out []*schema.Record
	for rows.Next() {
		r, err := s.decodeRecord(rows.RawValues()[0])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// decodeRecord decodes a stored record and decrypts its sealed fields.
func (s *Store) decodeRecord(raw []byte) (*schema.Record, error) {
	r := new(schema.Record)
	if err := schema.UnmarshalStored(raw, r); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	if err := s.seal.openFields(r.Kind, r.ID, r.Fields); err != nil {
		return nil, err
	}
	return r, nil
}

// checkKey makes the key given at Open agree with the database: a store
// created with a key needs it (store.ErrKeyRequired, store.ErrWrongKey);
// a key for a store that holds data written without one is refused
// (store.ErrNotEncrypted); a new store with a key records its check.
func checkKey(ctx context.Context, tx pgx.Tx, key []byte) error {
	var stored string
	err := tx.QueryRow(ctx, `SELECT value FROM laoxiao_meta WHERE key = 'key_check'`).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if key == nil {
			return nil
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM laoxiao_records) OR EXISTS (SELECT 1 FROM laoxiao_log)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return store.ErrNotEncrypted
		}
		_, err := tx.Exec(ctx, `INSERT INTO laoxiao_meta (key, value) VALUES ('key_check', $1)`, keyCheck(key))
		return err
	case err != nil:
		return err
	case key == nil:
		return store.ErrKeyRequired
	case subtle.ConstantTimeCompare([]byte(stored), []byte(keyCheck(key))) != 1:
		return store.ErrWrongKey
	}
	return nil
}
