package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver"
)

// The merge commands:
//
//	merge   --data DIR --unit CODE --survivor ID --duplicate ID [--reason TEXT] [--keep FIELD,…] [--by NAME]
//	unmerge --data DIR --unit CODE --duplicate ID [--reason TEXT] [--by NAME]
func init() {
	Register("merge", mergeCmd)
	Register("unmerge", unmergeCmd)
}

func mergeCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("merge")
	unit := fs.String("unit", "", "the office's unit; both records must lie within it")
	survivor := fs.String("survivor", "", "id of the record to keep")
	duplicate := fs.String("duplicate", "", "id of the record to merge into it")
	reason := fs.String("reason", "", "why (kept in the audit trail)")
	keep := fs.String("keep", "", "comma-separated fields of the survivor not to fill in from the duplicate (e.g. note,id_number)")
	by := fs.String("by", loginName(), "who merges (e.g. 雨城区民政局 张三)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" || *survivor == "" || *duplicate == "" {
		return fmt.Errorf("merge: --unit, --survivor and --duplicate are required")
	}
	req := syncserver.MergeRequest{Unit: schema.Code(*unit), Survivor: *survivor, Duplicate: *duplicate,
		Reason: *reason, By: *by, Keep: splitList(*keep)}
	var info syncserver.MergeInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		info, err = s.Merge(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/merge", req, &info)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %s %s into %s by %s at %s", info.Kind, info.Duplicate, info.Survivor, info.By, info.At)
	if len(info.Filled) > 0 {
		fmt.Fprintf(stdout, "; filled in on the survivor: %s", strings.Join(info.Filled, ", "))
	}
	fmt.Fprintln(stdout)
	return nil
}

func unmergeCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("unmerge")
	unit := fs.String("unit", "", "the office's unit; the record must lie within it")
	duplicate := fs.String("duplicate", "", "id of the merged record to bring back")
	reason := fs.String("reason", "", "why (kept in the audit trail)")
	by := fs.String("by", loginName(), "who undoes the merge")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" || *duplicate == "" {
		return fmt.Errorf("unmerge: --unit and --duplicate are required")
	}
	req := syncserver.UnmergeRequest{Unit: schema.Code(*unit), Duplicate: *duplicate, Reason: *reason, By: *by}
	var info syncserver.MergeInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		info, err = s.Unmerge(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/unmerge", req, &info)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "unmerged %s %s from %s by %s at %s", info.Kind, info.Duplicate, info.Survivor, info.By, info.At)
	if len(info.Filled) > 0 {
		fmt.Fprintf(stdout, "; emptied again on the survivor: %s", strings.Join(info.Filled, ", "))
	}
	fmt.Fprintln(stdout)
	return nil
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
