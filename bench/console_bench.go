package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/console"
	"laoxiao/synth/benchcity"
)

func init() {
	Register(Bench{Name: "console", Run: benchConsole})
}

// consolePageRuns is how many timed loads of a page the median is taken
// over, after warm-up loads like the breakdown bench's.
const consolePageRuns = 5

// benchConsole times two office console pages for the breakdown bench's
// city (benchcity.Default: 150 townships, ~1.3 M records) served by a
// real sync server and console over loopback, signed in as the city's
// account: the 任务分解表 (evaluate every indicator over the city, render
// the page with its lineage links) and 同步状态 (every township's devices
// with their health).
func benchConsole(env Env) ([]Figure, error) {
	if env.Quick {
		return nil, nil // the city takes ~15 s to generate; not a smoke-test figure
	}
	return consoleFigures(env.Ctx, env.Dir, benchcity.Default)
}

// consoleFigures writes city into a server's store in dir and times the
// console's pages over it.
func consoleFigures(ctx context.Context, dir string, city benchcity.City) ([]Figure, error) {
	srv, err := consoleBenchServer(ctx, dir, city)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	accts, err := console.OpenAccounts(dir, nil)
	if err != nil {
		return nil, fmt.Errorf("bench console: %w", err)
	}
	const user, password = "bench-city", "bench-console-password"
	if err := accts.Add(user, benchcity.Code, password); err != nil {
		return nil, fmt.Errorf("bench console: %w", err)
	}
	con, err := console.New(console.Config{Server: srv, Accounts: accts, Logger: discardLog()})
	if err != nil {
		return nil, fmt.Errorf("bench console: %w", err)
	}
	hs := httptest.NewServer(con.Handler())
	defer hs.Close()
	c, err := consoleSignIn(hs.URL, user, password)
	if err != nil {
		return nil, err
	}
	// The console keeps a table until the server accepts a change: the
	// cold figure has one township's change accepted before each load, as
	// when an office opens the table after a township synced, a different
	// township (and so county) each time.
	towns := city.Divisions().TownshipsOf(benchcity.Code)
	changes := 0
	change := func() error {
		changes++
		return benchTownshipChange(ctx, srv, towns[(changes*7)%len(towns)], changes)
	}
	var figs []Figure
	breakdown := "/breakdown?unit=" + string(benchcity.Code) + "&year=2025"
	for _, p := range []struct {
		name, path, want string
		before           func() error
	}{
		{"console_breakdown_page_ms", breakdown, "/breakdown/lineage?", nil},
		{"console_breakdown_page_cold_ms", breakdown, "/breakdown/lineage?", change},
		{"console_sync_page_ms", "/sync?unit=" + string(benchcity.Code), lastTownship(city), nil},
	} {
		ms, err := timePage(c, hs.URL+p.path, p.want, p.before)
		if err != nil {
			return figs, err
		}
		figs = append(figs, Figure{Name: p.name, Value: ms, Unit: "ms"})
	}
	return figs, nil
}

// consoleBenchServer opens a sync server in dir, writes the city and its
// units into its store, and opens it again (the server reads units at
// start, and the reopened store is flushed like the breakdown bench's).
func consoleBenchServer(ctx context.Context, dir string, city benchcity.City) (*syncserver.Server, error) {
	open := func() (*syncserver.Server, error) {
		return syncserver.Open(ctx, syncserver.Config{DataDir: dir, Logger: discardLog()})
	}
	srv, err := open()
	if err != nil {
		return nil, fmt.Errorf("bench console: %w", err)
	}
	var units []schema.Unit
	city.Divisions().Each(func(u schema.Unit) { units = append(units, u) })
	err = srv.Store().PutUnits(ctx, units)
	if err == nil {
		_, err = city.Write(ctx, srv.Store())
	}
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("bench console: generate: %w", err)
	}
	if srv, err = open(); err != nil {
		return nil, fmt.Errorf("bench console: reopen: %w", err)
	}
	return srv, nil
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleSignIn signs in through the sign-in form, as a browser does.
func consoleSignIn(base, user, password string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	page, err := getPage(c, base+"/login")
	if err != nil {
		return nil, err
	}
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("bench console: the sign-in page has no CSRF field")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {password}})
	if err != nil {
		return nil, fmt.Errorf("bench console: sign in: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		return nil, fmt.Errorf("bench console: sign in: %s at %s", resp.Status, resp.Request.URL.Path)
	}
	return c, nil
}

// getPage loads a page whole; a status other than 200 is an error.
func getPage(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", fmt.Errorf("bench console: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("bench console: %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("bench console: %s: %s", u, resp.Status)
	}
	return string(b), nil
}

// timePage loads a page until it is no longer clearly faster than the
// load before (at most maxWarmups), checks it shows want, then returns
// the median of consolePageRuns timed loads in milliseconds. before, when
// set, runs ahead of each load, untimed.
func timePage(c *http.Client, u, want string, before func() error) (float64, error) {
	load := func() (float64, string, error) {
		if before != nil {
			if err := before(); err != nil {
				return 0, "", fmt.Errorf("bench console: %w", err)
			}
		}
		start := time.Now()
		page, err := getPage(c, u)
		return float64(time.Since(start).Microseconds()) / 1000, page, err
	}
	prev, page, err := load()
	if err != nil {
		return 0, err
	}
	if !strings.Contains(page, want) {
		return 0, fmt.Errorf("bench console: %s does not show %q", u, want)
	}
	if err := warmUp(prev, func() (float64, error) {
		ms, _, err := load()
		return ms, err
	}); err != nil {
		return 0, err
	}
	var times []float64
	for range consolePageRuns {
		ms, _, err := load()
		if err != nil {
			return 0, err
		}
		times = append(times, ms)
	}
	sort.Float64s(times)
	return times[len(times)/2], nil
}

// benchTownshipChange has the server accept one change of a township's
// records: its population of the year before, edited as a township's
// statistician would.
func benchTownshipChange(ctx context.Context, srv *syncserver.Server, town schema.Code, n int) error {
	year := int64(benchcity.Year - 1)
	set, err := schema.EncodeFields(schema.Population{Year: year, Resident: int64(30000 + n), Aged60: int64(6000 + n), Births: 200})
	if err != nil {
		return err
	}
	ack, err := srv.Ingest().SubmitServer(ctx, []schema.Change{{Kind: schema.KindPopulation,
		ID: schema.PopulationID(town, year), Unit: town, Set: set}})
	if err == nil && len(ack.Rejected) > 0 {
		err = fmt.Errorf("population refused: %s", ack.Rejected[0].Reason)
	}
	return err
}

// lastTownship is the name of the city's last township, which the sync
// page must list.
func lastTownship(city benchcity.City) string {
	divs := city.Divisions()
	counties := divs.Children(benchcity.Code)
	towns := divs.Children(counties[len(counties)-1])
	return divs.Name(towns[len(towns)-1])
}
