package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"laoxiao/schema"
	"laoxiao/syncserver"
)

// The move command:
//
//	move --data DIR --person ID --to CODE [--reason TEXT] [--by NAME]
func init() { Register("move", moveCmd) }

func moveCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("move")
	person := fs.String("person", "", "id of the person to move")
	to := fs.String("to", "", "the village or township of the same county the person now lives in")
	reason := fs.String("reason", "", "why (kept in the audit trail)")
	by := fs.String("by", loginName(), "who moves (e.g. 雨城区民政局 张三)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *person == "" || *to == "" {
		return fmt.Errorf("move: --person and --to are required")
	}
	req := syncserver.MoveRequest{Person: *person, To: schema.Code(*to), Reason: *reason, By: *by}
	var info syncserver.MoveInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		info, err = s.MovePerson(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/move", req, &info)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "moved person %s (%s) to %s (%s %s) by %s at %s\n",
		info.From, info.FromUnit, info.To, info.ToUnit, info.ToName, info.By, info.At)
	return nil
}
