#!/usr/bin/env bash
# Start-up, memory and save-time figures of the desktop app on a store of
# RECORDS records (default 100,000), as `NAME VALUE UNIT` lines for
# `make bench`:
#
#   desktop_first_frame_seconds_100k  process start to the window's first frame
#   desktop_start_seconds_100k        process start to the first tab showing its data
#   desktop_rss_100k_mb               resident memory at that moment
#   desktop_save_ms                   median of 20 facility-form saves, each durable
#
# It builds bin/desktop if missing, makes the store in a temporary folder
# and runs the real app under Xvfb unless DISPLAY is set.
set -euo pipefail
cd "$(dirname "$0")/.."

records=${RECORDS:-100000}
label=${LABEL:-$((records / 1000))k}
bin=${DESKTOP_BIN:-bin/desktop}
[[ -x "$bin" ]] || go build -o "$bin" ./cmd/desktop

work=$(mktemp -d)
xvfb_pid=""
cleanup() {
	if [[ -n "$xvfb_pid" ]]; then kill "$xvfb_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

"$bin" --make-demo "$work/data" --records "$records" >&2
if [[ -z "${DISPLAY:-}" ]]; then
	display=99
	while [[ -e /tmp/.X11-unix/X$display || -e /tmp/.X$display-lock ]]; do display=$((display + 1)); done
	Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
	xvfb_pid=$!
	for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$display ]] && break; sleep 0.1; done
	export DISPLAY=":$display"
fi
# The first open after a bulk import compacts Badger's fresh tables, which
# costs about 70 MiB more than any later start; measure a later start, as
# a laptop sees every morning.
env FYNE_SCALE=1 LC_MESSAGES=zh_CN.UTF-8 "$bin" --data "$work/data" \
	--exit-after-first-frame --probe-saves 1 >/dev/null
env FYNE_SCALE=1 LC_MESSAGES=zh_CN.UTF-8 "$bin" --data "$work/data" \
	--exit-after-first-frame --probe-label "$label" --probe-saves "${SAVES:-20}"
