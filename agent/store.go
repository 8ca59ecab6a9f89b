package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"laoxiao/internal/badgerlock"
	"laoxiao/schema"
)

// Options configure Open. The zero value is a plain (unencrypted) store on
// the wall clock with the built-in divisions.
type Options struct {
	// Passphrase, when not empty, encrypts the store at rest with a key
	// derived from it. It must then be given at every Open.
	Passphrase string
	// Now is the wall clock (time.Now when nil); tests make it jump.
	Now func() time.Time
	// Divisions validates unit codes; schema.BuiltinDivisions() when nil.
	Divisions *schema.Divisions
	// Logger receives Badger's warnings and the store's own; slog.Default()
	// when nil.
	Logger *slog.Logger
	// Retention is how long changes the server acknowledged stay on disk
	// after their ack (DefaultRetention when 0; none kept when negative),
	// so that a server restored from an older backup gets them offered
	// again (Refill). They stay on disk, never in memory.
	Retention time.Duration
	// MemTableSize is Badger's memtable size, 16 MiB when 0. Each open
	// holds a memtable of this size (and Badger's batch limit is a
	// fraction of it, so large writes split into more transactions); the
	// desktop app, which writes a form at a time, passes a smaller one.
	MemTableSize int64
	// BlockCacheSize is Badger's cache of decompressed table blocks,
	// 8 MiB when 0: it holds what repeated reads of the same keys need;
	// a scan of a whole township reads more than it holds anyway.
	BlockCacheSize int64
}

// Store is a site's embedded database. It is safe for concurrent use.
type Store struct {
	db     *badger.DB
	dir    string
	divs   *schema.Divisions
	log    *slog.Logger
	now    func() time.Time
	clock  *schema.Clock
	device string

	// wmu serialises every write so sequence numbers stay gapless and the
	// persisted clock never goes backwards. seq is the last issued sequence
	// number, mirrored from m/seq and changed only after a commit.
	wmu sync.Mutex
	seq uint64
	// remoteTail is the last downloaded page ApplyRemoteAsync handed to
	// the disk (nil before any); guarded by wmu.
	remoteTail *remoteCommit

	// retention is Options.Retention with its default applied.
	retention time.Duration
	// valueThreshold is Badger's, for txnBudget.
	valueThreshold int64

	gcStop chan struct{}
	gcDone chan struct{}
	closed sync.Once
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Divisions == nil {
		opts.Divisions = schema.BuiltinDivisions()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	key, err := encryptionKey(dir, opts.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	db, err := badger.Open(badgerOptions(dir, key, opts))
	if err != nil {
		switch {
		case errors.Is(err, badger.ErrEncryptionKeyMismatch):
			err = ErrWrongPassphrase
		case badgerlock.Held(err):
			err = fmt.Errorf("%w: %v", ErrLocked, err)
		}
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{
		db:             db,
		dir:            dir,
		divs:           opts.Divisions,
		log:            opts.Logger,
		now:            opts.Now,
		clock:          schema.NewClock(opts.Now),
		retention:      opts.Retention,
		valueThreshold: db.Opts().ValueThreshold,
		gcStop:         make(chan struct{}),
		gcDone:         make(chan struct{}),
	}
	if err := s.loadMeta(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if err := s.finishRestamp(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	go s.gcLoop()
	return s, nil
}

// badgerOptions sizes Badger for a township laptop shared with a desktop
// app: two 16 MiB memtables (Options.MemTableSize), small caches and two
// compactors. Writing 30,000 records in batches of 1,000, the process
// peaks near 195 MiB (VmHWM; the Go heap holds about 85 MiB of it after a
// collection, mostly the memtables and the buffers of the table a full
// memtable is flushed to), where it peaked near 90 MiB when records went
// to the value log and the memtable held pointers: the price of reading
// them from the LSM tree (below). Every write is synced: a Put that
// returned must survive a power cut.
func badgerOptions(dir string, key []byte, opts Options) badger.Options {
	memTable, blockCache := opts.MemTableSize, opts.BlockCacheSize
	if memTable == 0 {
		memTable = 16 << 20
	}
	if blockCache == 0 {
		blockCache = 8 << 20
	}
	o := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithMemTableSize(memTable).
		WithNumMemtables(2).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(2 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		// Records (a few hundred bytes; a few KiB with long texts) and
		// queued changes below 512 bytes stay in the LSM tree: a list of a
		// kind reads its records from table blocks in key order instead of
		// touching every value-log page, where they lay between the
		// outbox entries written with them (agent_rss_100k_mb 130 → 80
		// MiB). They count whole against Badger's transaction limit (15%
		// of the memtable): with the default 16 MiB memtable an import of
		// about 3,300 new rows commits as one (a larger one fails whole
		// with ErrBatchTooLarge, saying how many fit), and writers of many
		// entries split by txnBudget. Larger values go to the value log and
		// the tree holds pointers.
		WithValueThreshold(512).
		WithValueLogFileSize(64 << 20).
		WithBlockCacheSize(blockCache).
		WithIndexCacheSize(4 << 20).
		WithCompression(options.Snappy).
		WithMetricsEnabled(false).
		WithLogger(slogAdapter{opts.Logger}).
		WithLoggingLevel(badger.WARNING)
	if key != nil {
		o = o.WithEncryptionKey(key)
	}
	return o
}

// gcLoop reclaims value-log space left by edited records now and then; a
// site's data is small, so an hourly pass is plenty.
func (s *Store) gcLoop() {
	defer close(s.gcDone)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-s.gcStop:
			return
		case <-t.C:
			// Each successful pass rewrote one value-log file; keep going
			// while there is more to reclaim, but not past Close.
			for s.db.RunValueLogGC(0.5) == nil {
				select {
				case <-s.gcStop:
					return
				default:
				}
			}
		}
	}
}

// Close flushes and closes the store. Calling it twice is harmless.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		close(s.gcStop)
		<-s.gcDone
		s.wmu.Lock()
		defer s.wmu.Unlock()
		// A downloaded page still on its way to disk lands first; its
		// error is its waiter's to report.
		s.waitRemote()
		if e := s.db.Close(); e != nil {
			err = fmt.Errorf("close store %s: %w", s.dir, e)
		}
	})
	return err
}

// Dir returns the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Divisions returns the registry the store validates unit codes with.
func (s *Store) Divisions() *schema.Divisions { return s.divs }

// slogAdapter routes Badger's log lines into slog. Badger's info lines
// (compactions, flushes) are noise to a site; only warnings and errors pass.
type slogAdapter struct{ l *slog.Logger }

// Errorf logs at error level.
func (a slogAdapter) Errorf(f string, args ...any) {
	a.l.Error("badger: " + strings.TrimSpace(fmt.Sprintf(f, args...)))
}

// Warningf logs at warning level.
func (a slogAdapter) Warningf(f string, args ...any) {
	a.l.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(f, args...)))
}

// Infof drops Badger's routine messages.
func (a slogAdapter) Infof(string, ...any) {}

// Debugf drops Badger's debug messages.
func (a slogAdapter) Debugf(string, ...any) {}

// Errors the store returns; test for them with errors.Is.
var (
	// ErrNotFound: no such record, or it is deleted.
	ErrNotFound = errors.New("not found (未找到)")
	// ErrReadOnly: the kind cannot be written at a site (targets).
	ErrReadOnly = errors.New("read-only at a site (站点不可修改)")
	// ErrInsertOnly: visits cannot be edited or deleted; a correction is a
	// new visit that supersedes the old one.
	ErrInsertOnly = errors.New("visits are insert-only: record a new visit that supersedes it (探访记录不可修改，请新增一条更正记录)")
)
