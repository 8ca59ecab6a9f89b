package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"laoxiao/syncserver"
)

// The store's master key:
//
//	key new    --out FILE                                  a new random key, 0600
//	key rotate --data DIR --key-file OLD --new-key-file NEW  (server stopped)
func init() {
	Register("key new", keyNew)
	Register("key rotate", keyRotate)
}

func keyNew(_ context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("key new", flag.ContinueOnError)
	out := fs.String("out", "", "file to write the new key to (never overwritten)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("key new: --out is required")
	}
	if err := syncserver.NewKeyFile(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote a new key to %s: keep a copy apart from the data and its backups; without it the store cannot be read\n", *out)
	return nil
}

// keyRotate puts the store's data keys under a new master key. The old key
// comes the usual way (--key-file or the environment), the new one only
// from a file: the environment holds one key.
func keyRotate(_ context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("key rotate")
	newFile := fs.String("new-key-file", "", "file holding the new master key (make it with key new)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *newFile == "" {
		return fmt.Errorf("key rotate: --new-key-file is required")
	}
	if data.store != "" {
		// The persons' fields in a PostgreSQL store are sealed with keys
		// derived from the master key; re-sealing them is not written yet.
		return fmt.Errorf("key rotate: rotating the key of a PostgreSQL store is not supported yet; it works on the embedded store under --data")
	}
	cfg, err := data.config(nil)
	if err != nil {
		return err
	}
	newKey, err := syncserver.ReadKeyFile(*newFile)
	if err != nil {
		return err
	}
	if err := syncserver.RotateKey(data.dir, cfg.Key, newKey); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the store in %s now opens with the key in %s only; backups made before still need the old key\n", data.dir, *newFile)
	return nil
}
