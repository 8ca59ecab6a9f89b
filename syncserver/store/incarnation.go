package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// NewIncarnationID makes a random incarnation id (Store.Incarnation): 16
// bytes from the system's random source, in hex. Every backend makes its
// ids with it, at creation and at a restore.
func NewIncarnationID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make incarnation id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
