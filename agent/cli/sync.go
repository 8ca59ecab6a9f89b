package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
)

func runEnroll(ctx context.Context, s *agent.Store, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	server := fs.String("server", "", "server address, e.g. https://laoxiao.example.gov.cn")
	code := fs.String("code", "", "one-time enrolment code from the county office")
	name := fs.String("name", "", "a name for this device")
	caFile := fs.String("ca", "", "PEM certificate the server's TLS certificate chains to (a self-signed county server)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *server == "" || *code == "" {
		return usagef("--server and --code are required (需要服务器地址和注册码)")
	}
	var ca []byte
	if *caFile != "" {
		var err error
		if ca, err = os.ReadFile(*caFile); err != nil {
			return fmt.Errorf("read --ca: %w", err)
		}
	}
	if err := syncclient.EnrollWithCA(ctx, s, *server, *code, *name, ca); err != nil {
		return err
	}
	sc, _ := s.Scope()
	fmt.Fprintf(stdout, "enrolled device %s for unit %s (注册成功)\n", s.DeviceID(), sc)
	return nil
}

func runSync(ctx context.Context, s *agent.Store, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	watch := fs.Bool("watch", false, "keep syncing whenever the server is reachable, until interrupted")
	interval := fs.Duration("interval", time.Minute, "with --watch: time between syncs after a success")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	c := syncclient.New(s, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	// One progress line, rewritten in place, as the state changes.
	last := ""
	c.OnState = func(st syncclient.State) {
		line := fmt.Sprintf("\r%-12s sent %d/%d  received %d   ", st.Phase, st.Sent, st.Total, st.Downloaded)
		if line != last {
			fmt.Fprint(stdout, line)
			last = line
		}
	}
	if *watch {
		c.Run(ctx, *interval)
		fmt.Fprintln(stdout)
		return nil
	}
	res, err := c.SyncOnce(ctx)
	fmt.Fprintln(stdout)
	if err != nil {
		return fmt.Errorf("%w (%s)", err, syncclient.Explain(err))
	}
	fmt.Fprintf(stdout, "uploaded %d, refused %d, re-stamped %d, downloaded %d (同步完成)\n",
		res.Uploaded, res.Parked, res.Restamped, res.Downloaded)
	return nil
}
