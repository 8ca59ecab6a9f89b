// Command syncserver is the central Laoxiao server: townships sync with it,
// offices enrol devices and produce task breakdown tables with it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"laoxiao/syncserver/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
