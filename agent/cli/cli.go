// Package cli is the agent command's logic, kept out of package main so it
// can be tested: township staff and the people supporting them use it to
// enter records, bulk-import a spreadsheet and check what is waiting to
// sync, on the same store the desktop app uses.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

const usage = `usage: agent --data DIR [--passphrase-env VAR] [--retention-days 90] COMMAND [ARGS]
用法: agent --data 数据目录 [--passphrase-env 环境变量] [--retention-days 保留天数] 命令 [参数]

Commands (命令):
  add KIND --unit CODE [--id ID] [--FIELD VALUE ...]
      create or edit a record and print its id (新增或修改记录并输出编号).
      KIND is facility, capacity, person, visit, population, reported,
      project (重点项目) or progress (任务进展; tasks come from the county).
      Fields are the schema's names (--name --kind --ownership --inclusive
      --beds_total ...); enumerated values may be given as the value or its
      Chinese label (--ownership public, --ownership 公办); lists are
      comma-separated (--categories alone,disabled). With --id, or when a
      capacity/population/reported record with the same identity exists,
      fields not given keep their stored values.
  list KIND [--unit CODE] [--format text|json] [--full]
      list live records of KIND under a unit (列出记录; 单位代码为前缀).
      Persons' names and ID numbers are masked (徐*怡, 5118**********0118)
      unless --full is given (显示完整姓名和身份证号).
  import FILE.csv
      bulk entry (批量导入). The first row is a header:
          kind,unit,id,FIELD,FIELD,...
      Each following row is one record of the kind in its kind column (a
      file may mix kinds); cells of fields the kind does not have must be
      empty. Since the kind column is the record kind, the facility's,
      the visit's and the project's own kind fields are columns
      facility.kind, visit.kind and project.kind; any column may be
      qualified that way (project.status). A township's projects import as
      kind,unit,name,project.kind,invest_total,invest_central,invest_local,
      beds,places,start_year,end_year,implementer,project.status,percent
      with 新建/改扩建 and 谋划/在建/建成/投用 as typed. An empty id makes a new record
      (capacity, population and reported ids derive from their fields); an
      empty cell leaves the field as stored (or zero for a new record). To
      refer to a record made by an earlier row, give it a file-local id
      starting with new: (new:f1) and use that in the later row's facility,
      person or supersedes cell; it is replaced by a fresh id. Values are
      as for add. Every row is checked first; if any is wrong, each problem
      is reported by row number (the header is row 1, as in a spreadsheet)
      and field, and nothing of the file is written. Rows whose month,
      date or year a county office has locked (审核锁定) are the exception:
      they are named with the lock and left out, the other rows are
      written, and the command exits 1. Save the file as "CSV UTF-8".
  status
      outbox length, oldest unsynced change, parked changes, device id,
      clock offset, acked changes kept, and whether the server was found
      restored from a backup and what was offered to it again (同步状态).
      Acked changes are kept --retention-days days (90 by default) so a
      server restored from an older backup gets them again at the next sync
      (已确认的修改保留天数，服务器从备份恢复后自动重新上传).
  fields KIND
      list the field names of a kind (列出字段名).
  enroll --server URL --code CODE [--name NAME]
      trade the county office's one-time code for this device's token
      (用注册码在服务器注册本机). Entries made before enrolling are kept and
      sync after it.
  sync [--watch [--interval 1m]]
      sync once with a progress line, or keep syncing whenever the server
      is reachable, backing off with jitter while it is not (同步).

The passphrase of an encrypted store is read from the environment variable
named by --passphrase-env, never from the command line, where other users
of the machine could see it.
`

// Run executes the agent command with args (without the program name) and
// returns the process exit code: 0 success, 1 failure, 2 usage error.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data", "", "data directory")
	passEnv := fs.String("passphrase-env", "", "environment variable holding the passphrase")
	retention := fs.Int("retention-days", int(agent.DefaultRetention/(24*time.Hour)), "days acked changes are kept for a server restored from a backup (0: none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "agent: %v\n\n%s", err, usage)
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := rest[0], rest[1:]
	if cmd == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if cmd == "fields" {
		return runFields(rest, stdout, stderr)
	}
	if *dataDir == "" {
		fmt.Fprintf(stderr, "agent: --data DIR is required (需要指定数据目录 --data)\n")
		return 2
	}
	var run func(context.Context, *agent.Store, []string, io.Writer, io.Writer) error
	switch cmd {
	case "add":
		run = runAdd
	case "list":
		run = runList
	case "import":
		run = runImport
	case "status":
		run = runStatus
	case "enroll":
		run = runEnroll
	case "sync":
		run = runSync
	default:
		fmt.Fprintf(stderr, "agent: unknown command %q (未知命令)\n\n%s", cmd, usage)
		return 2
	}
	pass := ""
	if *passEnv != "" {
		pass = os.Getenv(*passEnv)
		if pass == "" {
			fmt.Fprintf(stderr, "agent: environment variable %s is empty (环境变量 %s 为空，无法读取密码)\n", *passEnv, *passEnv)
			return 2
		}
	}
	if *retention < 0 {
		fmt.Fprintf(stderr, "agent: --retention-days %d: give 0 or more days (保留天数不能为负)\n", *retention)
		return 2
	}
	keep := time.Duration(*retention) * 24 * time.Hour
	if keep == 0 {
		keep = -1 // agent.Options: negative keeps none, 0 is the default
	}
	s, err := agent.Open(*dataDir, agent.Options{
		Passphrase: pass,
		Retention:  keep,
		Logger:     slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Fprintf(stderr, "agent: %v\n", err)
		return 1
	}
	err = run(ctx, s, rest, stdout, stderr)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "agent %s: %v\n", cmd, err)
			return 2
		}
		fmt.Fprintf(stderr, "agent %s: %s\n", cmd, describe(err))
		return 1
	}
	return 0
}

// usageError marks a mistake in the command line rather than in the data.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// describe formats an error for the terminal: a validation error as one
// problem per line, so a long form's mistakes stay readable.
func describe(err error) string {
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var b strings.Builder
	// The context around the validation error (which record, which row).
	if msg := strings.TrimSuffix(err.Error(), ve.Error()); msg != "" {
		b.WriteString(strings.TrimSuffix(strings.TrimSpace(msg), ":"))
		b.WriteString(":")
	} else {
		b.WriteString("invalid record (记录有误):")
	}
	for _, p := range ve.Problems {
		fmt.Fprintf(&b, "\n  %s: %s / %s", p.Field, p.En, p.Zh)
	}
	return b.String()
}

func parseKind(s string) (schema.Kind, error) {
	k, err := schema.ParseKind(s)
	if err != nil {
		return "", usagef("%v (未知的记录类型)", err)
	}
	return k, nil
}

func runFields(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "agent fields: want one KIND (需要一个记录类型)")
		return 2
	}
	k, err := parseKind(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "agent fields: %v\n", err)
		return 2
	}
	for _, f := range fieldsOf(k) {
		line := f.name + "\t" + typeName(f)
		t := f.typ
		if t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if cs := choicesFor(t); cs != nil {
			line += "\t" + choiceList(cs)
		}
		fmt.Fprintln(stdout, line)
	}
	return 0
}

func typeName(f field) string {
	switch f.typ.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Slice:
		return "list"
	}
	return "text"
}

func choiceList(cs []schema.Choice) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.Value != "" {
			parts = append(parts, c.Value+"="+c.Label)
		}
	}
	return strings.Join(parts, " ")
}
