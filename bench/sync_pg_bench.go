package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/internal/pgtest"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// Registered after sync_bench.go's (init order follows file names), so
// the Badger figure the ratio divides by is measured first.
func init() {
	Register(Bench{Name: "sync_pg", Run: benchSyncPG})
}

// lastSyncE2E is sync_e2e_changes_per_s as measured in this run (0 when
// not yet): pg_vs_badger_ratio compares figures of one run only.
var lastSyncE2E float64

// benchSyncPG measures the sync server on PostgreSQL, in a throwaway
// cluster of its own (internal/pgtest, fsync on): the one-agent upload
// and download of sync_e2e with one server, pg_vs_badger_ratio against
// the Badger figure of the same run, and the 200-agent load with two
// server processes sharing the database, agents spread over both.
func benchSyncPG(env Env) ([]Figure, error) {
	cl, err := pgtest.Start()
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer cl.Stop()
	db, err := cl.CreateDatabase(env.Ctx)
	if err != nil {
		return nil, err
	}
	figs, err := syncE2E(subEnv(env, "e2e"), db)
	if err != nil {
		return figs, err
	}
	if lastSyncE2E == 0 { // a run of this bench alone (-only)
		if _, err := syncE2E(subEnv(env, "badger"), ""); err != nil {
			return figs, err
		}
	}
	figs = append(figs, Figure{Name: "pg_vs_badger_ratio", Value: figs[0].Value / lastSyncE2E, Unit: "ratio"})

	db2, err := cl.CreateDatabase(env.Ctx)
	if err != nil {
		return figs, err
	}
	var servers []*childServer
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for i := 0; i < 2; i++ {
		s, err := startChildServer(env, filepath.Join(env.Dir, fmt.Sprintf("server%d", i)), db2)
		if err != nil {
			return figs, err
		}
		servers = append(servers, s)
	}
	n := 0
	open := func(ctx context.Context, dir, name string, unit schema.Code) (*agent.Store, error) {
		s := servers[n%len(servers)]
		n++
		return enrollWith(ctx, s, dir, name, unit)
	}
	f200, err := sync200(subEnv(env, "200"), "sync_200_agents_pg", open)
	return append(figs, f200...), err
}

// enrollWith opens a fresh agent store in dir and enrols it with the
// server child s, through its admin API.
func enrollWith(ctx context.Context, s *childServer, dir, name string, unit schema.Code) (*agent.Store, error) {
	st, err := agent.Open(dir, agent.Options{Logger: discardLog()})
	if err != nil {
		return nil, err
	}
	var code map[string]string
	req := syncserver.CodeRequest{Unit: unit, Name: name, Role: store.RoleSite}
	err = s.admin.Do(ctx, http.MethodPost, "/admin/codes", req, &code)
	if err == nil {
		err = syncclient.Enroll(ctx, st, s.base, code["code"], name)
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("enrol %s: %w", name, err)
	}
	return st, nil
}

// subEnv is env with a directory of its own under env.Dir.
func subEnv(env Env, name string) Env {
	env.Dir = filepath.Join(env.Dir, name)
	os.MkdirAll(env.Dir, 0o700)
	return env
}
