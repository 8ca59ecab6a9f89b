// Package devices enrols devices and office accounts and authenticates
// their tokens. An office prints a one-time code for a unit; a device
// trades the code once for a random token. The server keeps only hashes
// of codes and tokens, so a stolen copy of its store lets nobody sync.
package devices

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// ErrAuth is returned (wrapped) for an unknown, malformed, wrong or revoked
// token, and for an unknown or used code. Callers show one message for all,
// so a guesser learns nothing about which part was wrong.
var ErrAuth = errors.New("not authorised")

// Registry enrols and authenticates devices on a store.
type Registry struct {
	St        store.Store
	Divisions func() *schema.Divisions
	Now       func() time.Time
}

// codeAlphabet is Crockford's base32: no I, L, O or U, so a code read
// aloud over the phone to a township is hard to mistype.
var codeEnc = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewCode creates a one-time enrolment code for a unit, valid for ttl.
func (r *Registry) NewCode(ctx context.Context, unit schema.Code, name string, role store.Role, ttl time.Duration) (string, error) {
	if unit != "" {
		if _, ok := r.Divisions().Lookup(unit); !ok {
			return "", fmt.Errorf("enrol: unit %q does not exist", unit)
		}
	}
	if role != store.RoleSite && role != store.RoleOffice {
		return "", fmt.Errorf("enrol: unknown role %q (want site or office)", role)
	}
	if role == store.RoleSite && unit.Level() < schema.LevelTownship {
		return "", fmt.Errorf("enrol: a site must be a township or village, %s is a %s", unit, unit.Level())
	}
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("enrol: random code: %w", err)
	}
	s := codeEnc.EncodeToString(raw[:]) // 16 characters
	code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	c := store.EnrollCode{Unit: unit, Name: name, Role: role, Expires: r.now().Add(ttl)}
	if err := r.St.PutEnrollCode(ctx, hashCode(code), c); err != nil {
		return "", fmt.Errorf("enrol: store code: %w", err)
	}
	return code, nil
}

func hashCode(code string) []byte {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	h := sha256.Sum256([]byte("laoxiao-code:" + norm))
	return h[:]
}

// Enrolled is what a device receives for its code.
type Enrolled struct {
	Device store.Device
	Token  string
}

// Trade exchanges a one-time code for a token. deviceID is the id the
// device made for itself at first start (its changes made before enrolment
// already carry it); a device that enrols again keeps its id and its mark.
func (r *Registry) Trade(ctx context.Context, code, deviceID, name string) (Enrolled, error) {
	if deviceID == "" || len(deviceID) > 64 || strings.ContainsAny(deviceID, "./ \t\n") || deviceID == "server" {
		return Enrolled{}, fmt.Errorf("enrol: device id %q is not acceptable", deviceID)
	}
	c, err := r.St.TakeEnrollCode(ctx, hashCode(code))
	if errors.Is(err, store.ErrNotFound) {
		return Enrolled{}, fmt.Errorf("enrol: code unknown or already used: %w", ErrAuth)
	}
	if err != nil {
		return Enrolled{}, fmt.Errorf("enrol: %w", err)
	}
	if r.now().After(c.Expires) {
		return Enrolled{}, fmt.Errorf("enrol: code expired at %s: %w", c.Expires.Format(time.RFC3339), ErrAuth)
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return Enrolled{}, fmt.Errorf("enrol: random token: %w", err)
	}
	sec := base64.RawURLEncoding.EncodeToString(secret[:])
	if name == "" {
		name = c.Name
	}
	d := store.Device{ID: deviceID, Name: name, Scope: c.Unit, Role: c.Role, TokenHash: hashSecret(sec), Enrolled: r.now()}
	if err := r.St.PutDevice(ctx, d); err != nil {
		return Enrolled{}, fmt.Errorf("enrol: store device: %w", err)
	}
	return Enrolled{Device: d, Token: deviceID + "." + sec}, nil
}

func hashSecret(sec string) []byte {
	h := sha256.Sum256([]byte("laoxiao-token:" + sec))
	return h[:]
}

// Authenticate returns the device a token belongs to.
func (r *Registry) Authenticate(ctx context.Context, token string) (store.Device, error) {
	id, sec, ok := strings.Cut(token, ".")
	if !ok || id == "" || sec == "" {
		return store.Device{}, fmt.Errorf("malformed token: %w", ErrAuth)
	}
	d, err := r.St.Device(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Device{}, fmt.Errorf("unknown device: %w", ErrAuth)
	}
	if err != nil {
		return store.Device{}, err
	}
	if subtle.ConstantTimeCompare(d.TokenHash, hashSecret(sec)) != 1 {
		return store.Device{}, fmt.Errorf("wrong token: %w", ErrAuth)
	}
	if d.Revoked {
		return store.Device{}, fmt.Errorf("device %s revoked: %w", id, ErrAuth)
	}
	return d, nil
}

// Revoke stops a device from connecting. Its accepted changes stay.
func (r *Registry) Revoke(ctx context.Context, id string) error {
	d, err := r.St.Device(ctx, id)
	if err != nil {
		return fmt.Errorf("revoke %s: %w", id, err)
	}
	d.Revoked = true
	if err := r.St.PutDevice(ctx, d); err != nil {
		return fmt.Errorf("revoke %s: %w", id, err)
	}
	return nil
}

func (r *Registry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
