#!/usr/bin/env bash
# The desktop app's figures for `make bench`, as `NAME VALUE UNIT` lines:
# start-up, memory after every tab (and above a bare Fyne window, the
# floor), and save time of the real app under
# its own Xvfb on a store of RECORDS records (default 100,000). The
# measuring is BenchmarkDesktopProbe in desktop/realwindow, which drives
# the window with X input events as the real-window tests do; see its doc
# comment for what each figure means.
set -euo pipefail
cd "$(dirname "$0")/.."

LAOXIAO_PROBE_RECORDS=${RECORDS:-100000} LAOXIAO_PROBE_SAVES=${SAVES:-5} \
	go test ./desktop/realwindow -run '^$' -bench DesktopProbe -benchtime 1x -timeout 30m >"${TMPDIR:-/tmp}/desktop-probe.log" 2>&1 ||
	{ cat "${TMPDIR:-/tmp}/desktop-probe.log" >&2; exit 1; }
grep -E '^desktop_[a-z0-9_]+ [0-9.]+ [A-Za-z]+$' "${TMPDIR:-/tmp}/desktop-probe.log"
