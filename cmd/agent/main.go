// Command agent works with a township site's offline store from the
// terminal: add and list records, import a spreadsheet, show sync status.
// Run `agent help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"laoxiao/agent/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
