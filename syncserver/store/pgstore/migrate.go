package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrSchemaNewer is returned (wrapped) by Open when the database's schema
// was migrated by a newer build than this one: this binary would not know
// what the newer tables mean, so it refuses rather than write beside them.
var ErrSchemaNewer = errors.New("database schema is newer than this server build: upgrade the server")

// migration is one step of the schema. Steps are applied in order, each
// once, all the pending ones in one transaction at Open; a step is never
// edited once released, only followed by another.
type migration func(ctx context.Context, tx pgx.Tx) error

// migrations lists the schema's versions: version N is migrations[N-1].
var migrations = []migration{
	migrate1,
	migrate2,
}

// SchemaVersion is the schema version this build creates and knows.
var SchemaVersion = len(migrations)

// Text columns that hold codes and ids use the "C" collation: byte order,
// the order Badger keeps keys in (a unit's records after its parent's),
// and range scans on a unit prefix use the plain btree index whatever the
// database's locale.
const schema1 = `
CREATE TABLE laoxiao_meta (
	key   text COLLATE "C" PRIMARY KEY,
	value text NOT NULL
);
-- Current record states (schema.Record in CBOR, as the Badger store keeps
-- them), by kind and id; unit_kind_id makes "everything in county 511802"
-- one range scan ordered by unit.
CREATE TABLE laoxiao_records (
	kind  text COLLATE "C" NOT NULL,
	id    text COLLATE "C" NOT NULL,
	unit  text COLLATE "C" NOT NULL,
	value bytea NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE INDEX laoxiao_records_unit ON laoxiao_records (unit, kind, id);
-- The change log (store.LogEntry in CBOR). scope is the township the
-- change's unit lies in, or the unit itself above township level, as in
-- Badger's scope index; device lets a download skip a device's own
-- changes without reading them; kind finds the locks and unlocks logged
-- after a writer last read them (Commit's check of Group.Basis).
CREATE TABLE laoxiao_log (
	seq    bigint PRIMARY KEY,
	device text COLLATE "C" NOT NULL,
	scope  text COLLATE "C" NOT NULL,
	kind   text COLLATE "C" NOT NULL,
	entry  bytea NOT NULL
);
CREATE INDEX laoxiao_log_scope ON laoxiao_log (scope, seq);
CREATE INDEX laoxiao_log_locks ON laoxiao_log (seq) WHERE kind IN ('lock', 'unlock');
CREATE TABLE laoxiao_marks (
	device     text COLLATE "C" PRIMARY KEY,
	high_water bigint NOT NULL,
	value      bytea NOT NULL
);
CREATE TABLE laoxiao_refused (
	device text COLLATE "C" NOT NULL,
	seq    bigint NOT NULL,
	value  bytea NOT NULL,
	PRIMARY KEY (device, seq)
);
CREATE TABLE laoxiao_devices (
	id    text COLLATE "C" PRIMARY KEY,
	value bytea NOT NULL
);
CREATE TABLE laoxiao_health (
	device text COLLATE "C" PRIMARY KEY,
	value  bytea NOT NULL
);
CREATE TABLE laoxiao_enroll_codes (
	hash  bytea PRIMARY KEY,
	value bytea NOT NULL
);
CREATE TABLE laoxiao_units (
	code  text COLLATE "C" PRIMARY KEY,
	value bytea NOT NULL
);
`

func migrate1(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, schema1); err != nil {
		return err
	}
	inc, err := newIncarnation()
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO laoxiao_meta (key, value) VALUES ('incarnation', $1)`, inc)
	return err
}

// migrate2 adds the lookup hash of a person's ID number beside the
// record, whose ID number may be encrypted (see sealed.go).
func migrate2(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE laoxiao_records ADD COLUMN id_hash bytea;
CREATE INDEX laoxiao_records_id_hash ON laoxiao_records (id_hash) WHERE id_hash IS NOT NULL;`)
	return err
}

// migrate brings the database's schema to SchemaVersion in one
// transaction. A transaction-scoped advisory lock makes processes that
// start together migrate one after the other: the second finds the work
// done.
func migrate(ctx context.Context, conn interface {
	Begin(context.Context) (pgx.Tx, error)
}, key []byte) (from int, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
		return 0, fmt.Errorf("lock for migration: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS laoxiao_schema_version (
		version integer PRIMARY KEY,
		applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, fmt.Errorf("create schema version table: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM laoxiao_schema_version`).Scan(&from); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if from > SchemaVersion {
		return from, fmt.Errorf("%w (database at version %d, this build knows %d)", ErrSchemaNewer, from, SchemaVersion)
	}
	for v := from + 1; v <= SchemaVersion; v++ {
		if err := migrations[v-1](ctx, tx); err != nil {
			return from, fmt.Errorf("migrate schema to version %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO laoxiao_schema_version (version) VALUES ($1)`, v); err != nil {
			return from, fmt.Errorf("record schema version %d: %w", v, err)
		}
	}
	if err := checkKey(ctx, tx, key); err != nil {
		return from, err
	}
	if err := tx.Commit(ctx); err != nil {
		return from, fmt.Errorf("commit migration: %w", err)
	}
	return from, nil
}
