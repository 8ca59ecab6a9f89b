package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"text/tabwriter"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/console"
)

func init() {
	Register("users add", usersAdd)
	Register("users list", usersList)
	Register("users disable", usersDisable)
	Register("users permit", usersPermit)
}

// usersUsage documents the account commands and the console flag of serve.
const usersUsage = `office console accounts:
  users add     --data DIR --unit CODE --name NAME --password-env VAR
  users list    --data DIR [--json]
  users disable --data DIR NAME
  users permit  --data DIR --personal-data=true|false NAME
  serve ... --console ADDR   serves the office console (web pages) on ADDR; off when empty
`

// withAccounts runs local on the data directory's accounts when no server
// runs, or remote through the running server's admin API, which alone may
// write the accounts file while it runs.
func withAccounts(ctx context.Context, d dataFlags, local func(*console.Accounts) error, remote func(*AdminClient) error) error {
	return withServer(ctx, d, func(*syncserver.Server) error {
		a, err := console.OpenAccounts(d.dir, nil)
		if err != nil {
			return err
		}
		return local(a)
	}, remote)
}

// usersAdd creates an office account. The password is read from an
// environment variable, never a flag, so it stays out of shell history
// and the process list.
func usersAdd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("users add")
	unit := fs.String("unit", "", "unit the account sees: a county (511802) or city (5118) code")
	name := fs.String("name", "", "the name typed at sign-in")
	pwEnv := fs.String("password-env", "", "environment variable holding the password (at least 8 characters)")
	personal := fs.Bool("personal-data", false, "may reveal one person's full name and ID number at a time, with a reason (logged)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" || *name == "" || *pwEnv == "" {
		return fmt.Errorf("users add: --unit, --name and --password-env are required\n%s", usersUsage)
	}
	pw, ok := os.LookupEnv(*pwEnv)
	if !ok || pw == "" {
		return fmt.Errorf("users add: environment variable %s is not set", *pwEnv)
	}
	req := console.AddUserRequest{Name: *name, Unit: schema.Code(*unit), Password: pw, PersonalData: *personal}
	err := withAccounts(ctx, *data, func(a *console.Accounts) error {
		if err := a.Add(req.Name, req.Unit, req.Password); err != nil || !req.PersonalData {
			return err
		}
		return a.SetPersonalData(req.Name, true)
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/users", req, nil)
	})
	if err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	fmt.Fprintf(stdout, "added %s (unit %s)\n", *name, *unit)
	return nil
}

func usersList(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("users list")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var list []console.AccountInfo
	err := withAccounts(ctx, *data, func(a *console.Accounts) error {
		list = a.List()
		return nil
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodGet, "/admin/users", nil, &list)
	})
	if err != nil {
		return fmt.Errorf("users list: %w", err)
	}
	if *asJSON {
		return printJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tUNIT\tCREATED\tDISABLED\tPERSONAL-DATA")
	for _, u := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", u.Name, u.Unit, u.Created.In(schema.ChinaTime).Format("2006-01-02 15:04"), u.Disabled,
			u.PersonalData)
	}
	return tw.Flush()
}

func usersDisable(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("users disable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("users disable: give one account name")
	}
	name := fs.Arg(0)
	err := withAccounts(ctx, *data, func(a *console.Accounts) error {
		return a.Disable(name)
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/users/"+url.PathEscape(name)+"/disable", nil, nil)
	})
	if err != nil {
		return fmt.Errorf("users disable: %w", err)
	}
	fmt.Fprintf(stdout, "disabled %s\n", name)
	return nil
}

// usersPermit grants or withdraws the personal-data permission.
func usersPermit(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("users permit")
	personal := fs.Bool("personal-data", false, "grant (true) or withdraw (false) the personal-data permission")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("users permit: give one account name")
	}
	name := fs.Arg(0)
	err := withAccounts(ctx, *data, func(a *console.Accounts) error {
		return a.SetPersonalData(name, *personal)
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/users/"+url.PathEscape(name)+"/personal-data",
			console.PermitRequest{PersonalData: *personal}, nil)
	})
	if err != nil {
		return fmt.Errorf("users permit: %w", err)
	}
	fmt.Fprintf(stdout, "%s: personal-data permission %v\n", name, *personal)
	return nil
}

// startConsole opens the accounts, adds their admin routes to srv, and,
// when addr is set, serves the office console on a listener of its own
// until ctx ends. The returned wait blocks until the console has shut
// down; call it before closing srv.
func startConsole(ctx context.Context, srv *syncserver.Server, dir, addr, cert, key string, log *slog.Logger) (wait func() error, err error) {
	accts, err := console.OpenAccounts(dir, nil)
	if err != nil {
		return nil, err
	}
	console.AdminRoutes(srv.HandleAdmin, accts)
	if addr == "" {
		return func() error { return nil }, nil
	}
	c, err := console.New(console.Config{Server: srv, Accounts: accts, Logger: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("console listen %s: %w", addr, err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Serve(ctx, ln, cert, key) }()
	return func() error { return <-done }, nil
}
