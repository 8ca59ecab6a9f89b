package badgerstore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"laoxiao/syncserver/store"
)

// ErrBackupDamaged is returned (wrapped) when a backup file is not one,
// is cut short (a backup that stopped midway), or was altered.
var ErrBackupDamaged = errors.New("not a whole server backup: damaged, cut short or not a backup file")

// A backup file is a header and a run of frames:
//
//	header  magic | version (1) | mode (0 plain, 1 AES-256-GCM)
//	        [salt (32) | key check (32)]        encrypted only
//	frame   length (uint32 BE; top bit set on the last frame) | payload
//	        plain:     data | CRC-32C of data
//	        encrypted: AES-256-GCM of data, nonce = frame number | last flag,
//	                   the header as additional data
//
// Badger's backup stream holds every key and value in clear, so a backup
// of an encrypted store is encrypted with a key derived (HKDF-SHA256, a
// random salt per file) from the store's master key: a backup is never
// less protected than the store. The last frame is flagged, and the flag is
// under the authentication tag, so a file cut at a frame boundary is
// recognised as incomplete.
const (
	backupMagic     = "LAOXIAO-SERVER-BACKUP\n"
	backupVersion   = 1
	modePlain       = 0
	modeAESGCM      = 1
	frameSize       = 1 << 20
	lastFrame       = 1 << 31
	saltSize        = 32
	maxFramePayload = frameSize + 16 // data and the GCM tag (the CRC is 4)
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// backupWriter writes the frames of a backup file; Close writes the last.
type backupWriter struct {
	w      io.Writer
	aead   cipher.AEAD // nil for a plain backup
	header []byte
	buf    []byte
	n      uint64 // frames written
}

// newBackupWriter writes the header to w; key nil makes a plain backup.
func newBackupWriter(w io.Writer, key []byte) (*backupWriter, error) {
	bw := &backupWriter{w: w, buf: make([]byte, 0, frameSize)}
	bw.header = append([]byte(backupMagic), backupVersion, modePlain)
	if key != nil {
		salt := make([]byte, saltSize)
		if _, err := rand.Read(salt); err != nil {
			return nil, fmt.Errorf("backup salt: %w", err)
		}
		check, _ := hex.DecodeString(keyCheck(key))
		bw.header[len(backupMagic)+1] = modeAESGCM
		bw.header = append(append(bw.header, salt...), check...)
		var err error
		if bw.aead, err = backupAEAD(key, salt); err != nil {
			return nil, err
		}
	}
	if _, err := w.Write(bw.header); err != nil {
		return nil, fmt.Errorf("write backup header: %w", err)
	}
	return bw, nil
}

// backupAEAD is the AES-256-GCM of one backup file, its key derived from
// the master key and the file's salt.
func backupAEAD(master, salt []byte) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, master, salt, "laoxiao server backup v1", 32)
	if err != nil {
		return nil, fmt.Errorf("backup key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("backup cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

func frameNonce(n uint64, last bool) []byte {
	nonce := make([]byte, 12)
	binary.BigEndian.PutUint64(nonce, n)
	if last {
		nonce[11] = 1
	}
	return nonce
}

func (bw *backupWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(len(p), frameSize-len(bw.buf))
		bw.buf = append(bw.buf, p[:k]...)
		p, written = p[k:], written+k
		if len(bw.buf) == frameSize {
			if err := bw.frame(false); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// Close writes what is buffered as the last frame. It does not close the
// underlying writer.
func (bw *backupWriter) Close() error { return bw.frame(true) }

func (bw *backupWriter) frame(last bool) error {
	var payload []byte
	if bw.aead != nil {
		payload = bw.aead.Seal(nil, frameNonce(bw.n, last), bw.buf, bw.header)
	} else {
		payload = binary.BigEndian.AppendUint32(bw.buf, crc32.Checksum(bw.buf, crcTable))
	}
	size := uint32(len(payload))
	if last {
		size |= lastFrame
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], size)
	if _, err := bw.w.Write(hdr[:]); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if _, err := bw.w.Write(payload); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	bw.n++
	bw.buf = bw.buf[:0]
	return nil
}

// backupReader yields the data of a backup file, checking every frame.
type backupReader struct {
	r      io.Reader
	aead   cipher.AEAD
	header []byte
	data   []byte // of the current frame, not yet read
	n      uint64
	done   bool // the last frame was read
}

// newBackupReader reads the header of a backup file. An encrypted backup
// without a key fails with store.ErrKeyRequired, with another key than
// the one it was made with store.ErrWrongKey; a key given for a plain
// backup is not needed and ignored.
func newBackupReader(r io.Reader, key []byte) (*backupReader, error) {
	head := make([]byte, len(backupMagic)+2)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:len(backupMagic)]) != backupMagic {
		return nil, fmt.Errorf("%w: no backup header", ErrBackupDamaged)
	}
	if v := head[len(backupMagic)]; v != backupVersion {
		return nil, fmt.Errorf("backup file version %d: this build reads version %d", v, backupVersion)
	}
	br := &backupReader{r: r, header: head}
	switch head[len(backupMagic)+1] {
	case modePlain:
		return br, nil
	case modeAESGCM:
	default:
		return nil, fmt.Errorf("%w: unknown mode %d", ErrBackupDamaged, head[len(backupMagic)+1])
	}
	extra := make([]byte, saltSize+sha256.Size)
	if _, err := io.ReadFull(r, extra); err != nil {
		return nil, fmt.Errorf("%w: header cut short", ErrBackupDamaged)
	}
	br.header = append(br.header, extra...)
	if key == nil {
		return nil, fmt.Errorf("the backup was made of an encrypted store: %w", store.ErrKeyRequired)
	}
	if check, _ := hex.DecodeString(keyCheck(key)); !bytes.Equal(check, extra[saltSize:]) {
		return nil, fmt.Errorf("the backup was made with another key: %w", store.ErrWrongKey)
	}
	var err error
	br.aead, err = backupAEAD(key, extra[:saltSize])
	return br, err
}

func (br *backupReader) Read(p []byte) (int, error) {
	for len(br.data) == 0 {
		if br.done {
			return 0, br.atEnd()
		}
		if err := br.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, br.data)
	br.data = br.data[n:]
	return n, nil
}

// atEnd checks nothing follows the last frame.
func (br *backupReader) atEnd() error {
	var b [1]byte
	if n, _ := br.r.Read(b[:]); n > 0 {
		return fmt.Errorf("%w: data after the last frame", ErrBackupDamaged)
	}
	return io.EOF
}

func (br *backupReader) next() error {
	var hdr [4]byte
	if _, err := io.ReadFull(br.r, hdr[:]); err != nil {
		return fmt.Errorf("%w: cut short after %d frames", ErrBackupDamaged, br.n)
	}
	size := binary.BigEndian.Uint32(hdr[:])
	last := size&lastFrame != 0
	size &^= lastFrame
	if size > maxFramePayload {
		return fmt.Errorf("%w: frame %d of %d bytes", ErrBackupDamaged, br.n, size)
	}
	payload := make([]byte, size)
	if _, err := io.ReadFull(br.r, payload); err != nil {
		return fmt.Errorf("%w: frame %d cut short", ErrBackupDamaged, br.n)
	}
	var err error
	if br.aead != nil {
		br.data, err = br.aead.Open(payload[:0], frameNonce(br.n, last), payload, br.header)
	} else {
		br.data, err = checkCRC(payload)
	}
	if err != nil {
		return fmt.Errorf("%w: frame %d: %v", ErrBackupDamaged, br.n, err)
	}
	br.n++
	br.done = last
	return nil
}

func checkCRC(payload []byte) ([]byte, error) {
	if len(payload) < 4 {
		return nil, errors.New("no checksum")
	}
	data, sum := payload[:len(payload)-4], binary.BigEndian.Uint32(payload[len(payload)-4:])
	if crc32.Checksum(data, crcTable) != sum {
		return nil, errors.New("checksum mismatch")
	}
	return data, nil
}
