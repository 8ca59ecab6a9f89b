// Package pgstore is the sync server's store on PostgreSQL (and the
// databases that speak its protocol: KingbaseES, HighGo, openGauss), for
// deployments where several stateless `syncserver serve` processes share
// one database.
//
// Records, log entries, marks and the rest are kept as the CBOR the Badger
// store keeps, in tables keyed as Badger's keys are (see migrate.go), so
// both stores answer every read the same way. What differs is that several
// processes write at once; Commit's doc says how that stays correct.
package pgstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Advisory lock keys. Every lock of the store is an advisory lock on a
// bigint key made from a name, so they never collide with each other or
// (in practice) with another application's on the same database.
var (
	commitLockKey  = lockKey("laoxiao/commit")
	migrateLockKey = lockKey("laoxiao/migrate")
)

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// Store is a store.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	seal *sealer // nil: persons' fields stay plain

	// sess holds the session claims, made at the first claim (and again
	// after a failed start); kicks outlives it, so SessionKicks can be
	// asked before.
	sessMu     sync.Mutex
	sess       *sessions
	sessClosed bool // Close ran: no new claims
	kicks      chan string

	closeOnce sync.Once
}

var (
	_ store.Store            = (*Store)(nil)
	_ store.RawRecordScanner = (*Store)(nil)
	_ store.Shared           = (*Store)(nil)
)

// IsURL reports whether a --store value names a PostgreSQL database
// (postgres:// or postgresql://).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// defaultMaxConns is the pool size when the URL does not set
// pool_max_conns: enough for a few hundred sessions' downloads, which
// hold a connection only while reading a page of the log.
const defaultMaxConns = 16

// Options configure OpenWith.
type Options struct {
	// Logger; slog.Default() when nil.
	Logger *slog.Logger
	// Key, when not nil, is the server's master key (32 bytes): persons'
	// names and ID numbers are encrypted with keys derived from it before
	// they reach the database (sealed.go). A store created with a key
	// opens only with it.
	Key []byte
}

// Open opens the store at url without a key: OpenWith with a logger.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	return OpenWith(ctx, url, Options{Logger: log})
}

// OpenWith connects to the database at url (a postgres:// URL or a
// key=value connection string), creates or migrates its schema and
// returns the store. It fails with an error that errors.Is
//   - ErrSchemaNewer when the database was migrated by a newer build;
//   - store.ErrKeyRequired, store.ErrWrongKey when the store was created
//     with a key and none or another is given;
//   - store.ErrNotEncrypted when a key is given for a store that holds
//     data written without one.
func OpenWith(ctx context.Context, url string, o Options) (*Store, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	seal, err := newSealer(o.Key)
	if err != nil {
		return nil, fmt.Errorf("postgres store key: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	from, err := migrate(ctx, pool, o.Key)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store %s: %w", redact(cfg), err)
	}
	if from != SchemaVersion {
		log.Info("postgres store schema migrated", "from", from, "to", SchemaVersion)
	}
	return &Store{pool: pool, log: log, seal: seal, kicks: make(chan string, 256)}, nil
}

// redact names the database without its password, for errors and logs.
func redact(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Pool returns the connection pool (tests and tools).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close ends the session claims and closes the pool.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.sessMu.Lock()
		ss := s.sess
		s.sessClosed = true
		s.sessMu.Unlock()
		if ss != nil {
			ss.close()
		}
		s.pool.Close()
	})
	return nil
}

// Records reads the records with these keys in one query
// (store.RecordsReader).
func (s *Store) Records(ctx context.Context, keys []schema.Key) (map[schema.Key]*schema.Record, error) {
	kinds, ids := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		kinds[i], ids[i] = string(k.Kind), k.ID
	}
	return s.readRecords(ctx, s.pool, kinds, ids)
}

// readRecords reads the records of the (kind, id) pairs that exist.
func (s *Store) readRecords(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, kinds, ids []string) (map[schema.Key]*schema.Record, error) {
	rows, err := q.Query(ctx, readRecordsSQL, kinds, ids)
	if err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	out := map[schema.Key]*schema.Record{}
	if err := s.collectRecords(rows, out); err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	return out, nil
}

// readRecordsSQL reads the records of the (kind, id) pairs $1, $2.
const readRecordsSQL = `SELECT r.kind, r.id, r.value FROM laoxiao_records r
	JOIN unnest($1::text[], $2::text[]) AS k(kind, id) ON r.kind = k.kind AND r.id = k.id`

// collectRecords decodes the rows of readRecordsSQL into out.
func (s *Store) collectRecords(rows pgx.Rows, out map[schema.Key]*schema.Record) error {
	var kind, id string
	var val []byte
	_, err := pgx.ForEachRow(rows, []any{&kind, &id, &val}, func() error {
		r, err := s.decodeRecord(val)
		if err != nil {
			return fmt.Errorf("record %s %s: %w", kind, id, err)
		}
		out[schema.Key{Kind: schema.Kind(kind), ID: id}] = r
		return nil
	})
	return err
}

// join is the merge of two states of one record: per field the value of
// the newer version (equal versions keep the greater bytes), and the
// newer delete — schema.Merge's rule applied to every field of b at once.
// It is commutative, associative and idempotent, so joining the stored
// state with any state made from it gives the merge of all their changes.
// A record's unit is fixed at creation; a stored record keeps its own.
func join(a, b *schema.Record) *schema.Record {
	out := &schema.Record{Kind: a.Kind, ID: a.ID, Unit: a.Unit, Deleted: a.Deleted,
		Fields: make(schema.Fields, len(a.Fields)), Versions: make(map[string]schema.Version, len(a.Versions))}
	for k, v := range a.Fields {
		out.Fields[k] = v
	}
	for k, v := range a.Versions {
		out.Versions[k] = v
	}
	if b.Deleted.Compare(out.Deleted) > 0 {
		out.Deleted = b.Deleted
	}
	for name, ver := range b.Versions {
		cur, seen := out.Versions[name]
		c := ver.Compare(cur)
		if seen && (c < 0 || (c == 0 && bytes.Compare(b.Fields[name], out.Fields[name]) <= 0)) {
			continue
		}
		if v, ok := b.Fields[name]; ok {
			out.Fields[name] = v
		} else {
			delete(out.Fields, name)
		}
		out.Versions[name] = ver
	}
	return out
}

// indexCode is the code under which a change is filed in the log's scope
// column: the township its unit lies in, or the unit itself above.
func indexCode(unit schema.Code) schema.Code {
	if t := unit.Ancestor(schema.LevelTownship); t != "" {
		return t
	}
	return unit
}

// Record returns a record by kind and id.
func (s *Store) Record(ctx context.Context, kind schema.Kind, id string) (*schema.Record, error) {
	var val []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM laoxiao_records WHERE kind = $1 AND id = $2`, string(kind), id).Scan(&val)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("record %s %s: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read record %s %s: %w", kind, id, err)
	}
	rec, err := s.decodeRecord(val)
	if err != nil {
		return nil, fmt.Errorf("record %s %s: %w", kind, id, err)
	}
	return rec, nil
}

// ScanRecords iterates the records under a unit prefix, ordered by unit.
func (s *Store) ScanRecords(ctx context.Context, prefix schema.Code, fn func(*schema.Record) error) error {
	return s.scanRecords(ctx, prefix, func(raw []byte) error {
		rec, err := s.decodeRecord(raw)
		if err != nil {
			return err
		}
		return fn(rec)
	})
}

// ScanRecordsRaw iterates the records under a unit prefix in their
// encoding, ordered by unit: one range scan of the unit index. A record
// with sealed fields is decrypted and encoded again; the others are
// passed as stored.
func (s *Store) ScanRecordsRaw(ctx context.Context, prefix schema.Code, fn func(raw []byte) error) error {
	return s.scanRecords(ctx, prefix, func(raw []byte) error {
		if !bytes.Contains(raw, sealMagic) {
			return fn(raw)
		}
		rec, err := s.decodeRecord(raw)
		if err != nil {
			return err
		}
		b, err := schema.Marshal(rec)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// scanRecords passes the stored bytes of the records under a prefix, in
// unit order, valid only during the call.
func (s *Store) scanRecords(ctx context.Context, prefix schema.Code, fn func(raw []byte) error) error {
	var rows pgx.Rows
	var err error
	lo, hi, bounded := prefixRange(string(prefix))
	switch {
	case prefix == "":
		rows, err = s.pool.Query(ctx, `SELECT value FROM laoxiao_records ORDER BY unit, kind, id`)
	case bounded:
		rows, err = s.pool.Query(ctx, `SELECT value FROM laoxiao_records WHERE unit >= $1 AND unit < $2 ORDER BY unit, kind, id`, lo, hi)
	default:
		rows, err = s.pool.Query(ctx, `SELECT value FROM laoxiao_records WHERE unit >= $1 AND starts_with(unit, $1) ORDER BY unit, kind, id`, lo)
	}
	if err != nil {
		return fmt.Errorf("scan records under %q: %w", prefix, err)
	}
	defer rows.Close()
	for rows.Next() {
		// RawValues are valid until the next row, as fn's contract says.
		if err := fn(rows.RawValues()[0]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan records under %q: %w", prefix, err)
	}
	return nil
}

// prefixRange returns the range [lo, hi) of the strings that start with
// prefix, in byte order; bounded is false when no ASCII upper bound
// exists (the caller then filters with starts_with).
func prefixRange(prefix string) (lo, hi string, bounded bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0x7f {
			b[i]++
			return prefix, string(b[:i+1]), true
		}
	}
	return prefix, "", false
}

// ScanKind iterates the records of one kind through the primary key.
func (s *Store) ScanKind(ctx context.Context, kind schema.Kind, fn func(*schema.Record) error) error {
	rows, err := s.pool.Query(ctx, `SELECT value FROM laoxiao_records WHERE kind = $1 ORDER BY id`, string(kind))
	if err != nil {
		return fmt.Errorf("scan %s records: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := s.decodeRecord(rows.RawValues()[0])
		if err != nil {
			return fmt.Errorf("%s record: %w", kind, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LogHead returns the newest log sequence.
func (s *Store) LogHead(ctx context.Context) (uint64, error) {
	var head int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM laoxiao_log`).Scan(&head); err != nil {
		return 0, fmt.Errorf("read log head: %w", err)
	}
	return uint64(head), nil
}

// logPage is how many log rows LogAfter reads per query.
const logPage = 1000

// LogAfter streams visible log entries after a cursor, in one snapshot
// (REPEATABLE READ), so the head it returns when the log is exhausted is
// the head of the rows it read. A scope at township level or below reads
// the rows filed under its township and its ancestors; a wider scope those
// under its prefix and its ancestors — a superset of what visible passes,
// through the (scope, seq) index.
func (s *Store) LogAfter(ctx context.Context, scope schema.Code, exclude string, after uint64, limit int, visible func(*store.LogEntry) bool, fn func(*store.LogEntry) error) (uint64, error) {
	cursor := after
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var head int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM laoxiao_log`).Scan(&head); err != nil {
			return fmt.Errorf("read log head: %w", err)
		}
		if uint64(head) <= after {
			cursor = uint64(head)
			return nil
		}
		var exact []string
		prefix := ""
		if t := scope.Ancestor(schema.LevelTownship); t != "" {
			exact = append(exact, string(t))
			for c := t.Parent(); c != ""; c = c.Parent() {
				exact = append(exact, string(c))
			}
		} else if scope != "" {
			prefix = string(scope)
			for c := scope.Parent(); c != ""; c = c.Parent() {
				exact = append(exact, string(c))
			}
		}
		lo, hi, bounded := prefixRange(prefix)
		if !bounded {
			hi = "" // only for an empty prefix: every scope
		}
		passed := 0
		for {
			var rows pgx.Rows
			var err error
			switch {
			case prefix == "" && exact == nil:
				rows, err = tx.Query(ctx, `SELECT seq, entry FROM laoxiao_log
					WHERE seq > $1 AND device <> $2 ORDER BY seq LIMIT $3`, int64(cursor), exclude, logPage)
			case prefix == "":
				rows, err = tx.Query(ctx, `SELECT seq, entry FROM laoxiao_log
					WHERE seq > $1 AND device <> $2 AND scope = ANY($3) ORDER BY seq LIMIT $4`, int64(cursor), exclude, exact, logPage)
			default:
				rows, err = tx.Query(ctx, `SELECT seq, entry FROM laoxiao_log
					WHERE seq > $1 AND device <> $2 AND ((scope >= $3 AND scope < $4) OR scope = ANY($5))
					ORDER BY seq LIMIT $6`, int64(cursor), exclude, lo, hi, exact, logPage)
			}
			if err != nil {
				return err
			}
			n, done := 0, false
			for rows.Next() {
				n++
				var seq int64
				var raw []byte
				if err := rows.Scan(&seq, &raw); err != nil {
					rows.Close()
					return err
				}
				var e store.LogEntry
				if err := schema.UnmarshalStored(raw, &e); err != nil {
					rows.Close()
					return fmt.Errorf("decode log entry %d: %w", seq, err)
				}
				if err := s.seal.openFields(e.Change.Kind, e.Change.ID, e.Change.Set); err != nil {
					rows.Close()
					return fmt.Errorf("log entry %d: %w", seq, err)
				}
				cursor = uint64(seq)
				if !visible(&e) {
					continue
				}
				if err := fn(&e); err != nil {
					rows.Close()
					return err
				}
				if passed++; passed >= limit {
					done = true
					break
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if done {
				return nil
			}
			if n < logPage {
				cursor = uint64(head)
				return nil
			}
		}
	})
	if err != nil {
		return after, fmt.Errorf("read log after %d: %w", after, err)
	}
	return cursor, nil
}

// Refused returns a device's recorded refusals with seq in [from, to].
func (s *Store) Refused(ctx context.Context, device string, from, to uint64) ([]schema.Rejection, error) {
	if to > 1<<63-1 {
		to = 1<<63 - 1
	}
	if from > to {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT value FROM laoxiao_refused WHERE device = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq`,
		device, int64(from), int64(to))
	if err != nil {
		return nil, fmt.Errorf("read refusals of %s: %w", device, err)
	}
	out, err := collectCBOR[schema.Rejection](rows)
	if err != nil {
		return nil, fmt.Errorf("read refusals of %s: %w", device, err)
	}
	return out, nil
}

// Mark returns a device's mark.
func (s *Store) Mark(ctx context.Context, device string) (store.Mark, error) {
	var m store.Mark
	err := s.getCBOR(ctx, `SELECT value FROM laoxiao_marks WHERE device = $1`, device, &m)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Mark{}, nil
	}
	if err != nil {
		return m, fmt.Errorf("read mark of %s: %w", device, err)
	}
	return m, nil
}

// Marks returns every device's mark.
func (s *Store) Marks(ctx context.Context) (map[string]store.Mark, error) {
	out := map[string]store.Mark{}
	err := eachKeyed(ctx, s.pool, `SELECT device, value FROM laoxiao_marks`, func(id string, m store.Mark) { out[id] = m })
	if err != nil {
		return nil, fmt.Errorf("read marks: %w", err)
	}
	return out, nil
}

// MarksOf returns the marks of these devices in one query
// (store.Shared).
func (s *Store) MarksOf(ctx context.Context, devices []string) (map[string]store.Mark, error) {
	rows, err := s.pool.Query(ctx, `SELECT device, value FROM laoxiao_marks WHERE device = ANY($1)`, devices)
	if err != nil {
		return nil, fmt.Errorf("read marks: %w", err)
	}
	defer rows.Close()
	out := make(map[string]store.Mark, len(devices))
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("read marks: %w", err)
		}
		var m store.Mark
		if err := schema.UnmarshalStored(b, &m); err != nil {
			return nil, fmt.Errorf("decode mark of %s: %w", id, err)
		}
		out[id] = m
	}
	return out, rows.Err()
}

// Device returns a device by id.
func (s *Store) Device(ctx context.Context, id string) (store.Device, error) {
	var d store.Device
	err := s.getCBOR(ctx, `SELECT value FROM laoxiao_devices WHERE id = $1`, id, &d)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("device %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read device %s: %w", id, err)
	}
	return d, nil
}

// PutDevice writes a device.
func (s *Store) PutDevice(ctx context.Context, d store.Device) error {
	return s.putCBOR(ctx, `INSERT INTO laoxiao_devices (id, value) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET value = excluded.value`, d.ID, d)
}

// Devices lists every device ordered by id.
func (s *Store) Devices(ctx context.Context) ([]store.Device, error) {
	rows, err := s.pool.Query(ctx, `SELECT value FROM laoxiao_devices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read devices: %w", err)
	}
	out, err := collectCBOR[store.Device](rows)
	if err != nil {
		return nil, fmt.Errorf("read devices: %w", err)
	}
	return out, nil
}

// PutHealth keeps a device's latest health report.
func (s *Store) PutHealth(ctx context.Context, device string, h store.Health) error {
	err := s.putCBOR(ctx, `INSERT INTO laoxiao_health (device, value) VALUES ($1, $2)
		ON CONFLICT (device) DO UPDATE SET value = excluded.value`, device, h)
	if err != nil {
		return fmt.Errorf("write health of %s: %w", device, err)
	}
	return nil
}

// Healths returns every device's latest health report.
func (s *Store) Healths(ctx context.Context) (map[string]store.Health, error) {
	out := map[string]store.Health{}
	err := eachKeyed(ctx, s.pool, `SELECT device, value FROM laoxiao_health`, func(id string, h store.Health) { out[id] = h })
	if err != nil {
		return nil, fmt.Errorf("read device health: %w", err)
	}
	return out, nil
}

// PutEnrollCode stores a one-time enrolment code.
func (s *Store) PutEnrollCode(ctx context.Context, hash []byte, c store.EnrollCode) error {
	b, err := schema.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO laoxiao_enroll_codes (hash, value) VALUES ($1, $2)
		ON CONFLICT (hash) DO UPDATE SET value = excluded.value`, hash, b)
	if err != nil {
		return fmt.Errorf("write enrolment code: %w", err)
	}
	return nil
}

// TakeEnrollCode deletes a code and returns it in one statement: of two
// processes taking the same code at once, one deletes the row and the
// other finds none, so a code enrols one device only.
func (s *Store) TakeEnrollCode(ctx context.Context, hash []byte) (store.EnrollCode, error) {
	var c store.EnrollCode
	err := s.getCBOR(ctx, `DELETE FROM laoxiao_enroll_codes WHERE hash = $1 RETURNING value`, hash, &c)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("enrolment code: %w", store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("take enrolment code: %w", err)
	}
	return c, nil
}

// PutUnits stores divisions.
func (s *Store) PutUnits(ctx context.Context, units []schema.Unit) error {
	codes, vals := make([]string, len(units)), make([][]byte, len(units))
	for i, u := range units {
		b, err := schema.Marshal(u)
		if err != nil {
			return fmt.Errorf("encode unit %s: %w", u.Code, err)
		}
		codes[i], vals[i] = string(u.Code), b
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO laoxiao_units (code, value)
		SELECT * FROM unnest($1::text[], $2::bytea[])
		ON CONFLICT (code) DO UPDATE SET value = excluded.value`, codes, vals)
	if err != nil {
		return fmt.Errorf("write %d units: %w", len(units), err)
	}
	return nil
}

// Units iterates the stored units by code.
func (s *Store) Units(ctx context.Context, fn func(schema.Unit) error) error {
	rows, err := s.pool.Query(ctx, `SELECT value FROM laoxiao_units ORDER BY code`)
	if err != nil {
		return fmt.Errorf("read units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u schema.Unit
		if err := schema.UnmarshalStored(rows.RawValues()[0], &u); err != nil {
			return fmt.Errorf("decode unit: %w", err)
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Incarnation returns the store's incarnation id: made with the schema,
// changed by NewIncarnation after a restore.
func (s *Store) Incarnation(ctx context.Context) (string, error) {
	var inc string
	err := s.pool.QueryRow(ctx, `SELECT value FROM laoxiao_meta WHERE key = 'incarnation'`).Scan(&inc)
	if err != nil {
		return "", fmt.Errorf("read incarnation: %w", err)
	}
	return inc, nil
}

// NewIncarnation gives the store a new incarnation id and returns it. A
// restore calls it after pg_restore: devices then learn the server lost
// what was acked after the dump and offer it again.
func (s *Store) NewIncarnation(ctx context.Context) (string, error) {
	inc, err := newIncarnation()
	if err != nil {
		return "", err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO laoxiao_meta (key, value) VALUES ('incarnation', $1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, inc)
	if err != nil {
		return "", fmt.Errorf("write incarnation: %w", err)
	}
	return inc, nil
}

func newIncarnation() (string, error) { return store.NewIncarnationID() }

func (s *Store) getCBOR(ctx context.Context, sql string, arg any, v any) error {
	var b []byte
	if err := s.pool.QueryRow(ctx, sql, arg).Scan(&b); err != nil {
		return err
	}
	return schema.UnmarshalStored(b, v)
}

func (s *Store) putCBOR(ctx context.Context, sql string, key any, v any) error {
	b, err := schema.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, sql, key, b)
	return err
}

func collectCBOR[T any](rows pgx.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := schema.UnmarshalStored(rows.RawValues()[0], &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func eachKeyed[T any](ctx context.Context, pool *pgxpool.Pool, sql string, fn func(string, T)) error {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return err
		}
		var v T
		if err := schema.UnmarshalStored(b, &v); err != nil {
			return fmt.Errorf("decode %s: %w", id, err)
		}
		fn(id, v)
	}
	return rows.Err()
}
