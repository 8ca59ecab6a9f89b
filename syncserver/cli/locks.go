package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/user"
	"text/tabwriter"

	"laoxiao/schema"
	"laoxiao/syncserver"
)

// The review lock commands:
//
//	lock       --data DIR --unit CODE --period YYYY[-MM] --reason TEXT [--by NAME]
//	unlock     --data DIR --unit CODE --period YYYY[-MM] --reason TEXT [--by NAME]
//	locks list --data DIR [--unit CODE] [--json]
func init() {
	Register("lock", lockCmd)
	Register("unlock", unlockCmd)
	Register("locks list", locksList)
}

// lockFlags parses the flags lock and unlock share.
func lockFlags(name string, args []string) (req syncserver.LockRequest, data dataFlags, err error) {
	fs, dataDir := newFlags(name)
	unit := fs.String("unit", "", "unit code to lock (a county's lock covers its townships)")
	period := fs.String("period", "", "month YYYY-MM or year YYYY")
	reason := fs.String("reason", "", "why (shown to township staff and kept in the audit trail)")
	by := fs.String("by", loginName(), "who, as township staff will see it (e.g. 雨城区民政局 张三)")
	if err := fs.Parse(args); err != nil {
		return req, data, err
	}
	if *unit == "" || *period == "" || *reason == "" {
		return req, data, fmt.Errorf("%s: --unit, --period and --reason are required", name)
	}
	return syncserver.LockRequest{Unit: schema.Code(*unit), Period: *period, Reason: *reason, By: *by}, *dataDir, nil
}

// loginName is the default of --by: the account running the command.
func loginName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "syncserver"
}

func lockCmd(ctx context.Context, args []string, stdout io.Writer) error {
	req, data, err := lockFlags("lock", args)
	if err != nil {
		return err
	}
	var l syncserver.LockInfo
	err = withServer(ctx, data, func(s *syncserver.Server) (err error) {
		l, err = s.Lock(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/locks", req, &l)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "locked %s %s %s by %s at %s (lock %s)\n", l.Unit, l.UnitName, l.Period, l.By, l.At, l.ID)
	return nil
}

func unlockCmd(ctx context.Context, args []string, stdout io.Writer) error {
	req, data, err := lockFlags("unlock", args)
	if err != nil {
		return err
	}
	var lifted []syncserver.LockInfo
	err = withServer(ctx, data, func(s *syncserver.Server) (err error) {
		lifted, err = s.Unlock(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/locks/unlock", req, &lifted)
	})
	if err != nil {
		return err
	}
	for _, l := range lifted {
		fmt.Fprintf(stdout, "unlocked %s %s %s (lock %s, set by %s at %s)\n", l.Unit, l.UnitName, l.Period, l.ID, l.By, l.At)
	}
	return nil
}

func locksList(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("locks list")
	unit := fs.String("unit", "", "only locks on this unit, the units below it and above it")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("locks list: unexpected argument %q", fs.Arg(0))
	}
	var list []syncserver.LockInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		list, err = s.Locks(ctx, schema.Code(*unit))
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodGet, "/admin/locks?"+url.Values{"unit": {*unit}}.Encode(), nil, &list)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, list)
	}
	// The Chinese text goes last: its wide characters would push the
	// columns after it out of line.
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIT\tPERIOD\tSTATE\tAT\tID\tNAME · BY · REASON")
	for _, l := range list {
		state, text := "locked", l.UnitName+" · "+l.By+" · "+l.Reason
		if !l.Active {
			state = "lifted"
			if l.Unlock != nil {
				text += fmt.Sprintf(" (解锁 unlocked %s · %s · %s)", l.Unlock.At, l.Unlock.By, l.Unlock.Reason)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Unit, l.Period, state, l.At, l.ID, text)
	}
	return tw.Flush()
}
