#!/usr/bin/env bash
# Screenshots of the desktop app for docs/screenshots/: builds bin/desktop,
# makes a demo data folder for 雨城区草坝镇, and runs the real app under
# Xvfb once per tab, each run capturing its own window (--screenshot) and
# quitting. `make screenshots` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${SCREENSHOT_DIR:-docs/screenshots}
bin=${DESKTOP_BIN:-bin/desktop}
mkdir -p "$out" "$(dirname "$bin")"
go build -o "$bin" ./cmd/desktop

work=$(mktemp -d)
xvfb_pid=""
cleanup() {
	if [[ -n "$xvfb_pid" ]]; then kill "$xvfb_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# A display of our own, so the screenshots never depend on the desktop
# the script runs from. Pick a display number nobody uses.
display=99
while [[ -e /tmp/.X11-unix/X$display || -e /tmp/.X$display-lock ]]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$display ]] && break; sleep 0.1; done
export DISPLAY=":$display"
# Scale 1 at 1280×800 makes the PNGs the size of a common laptop screen;
# LC_MESSAGES gives Fyne's own words in Chinese and keeps it from logging
# "Error parsing user locale C" under LANG=C.UTF-8.
# (Set for the app only: bash itself would warn that the locale is not
# installed, which the app does not need.)
run() { env FYNE_SCALE=1 LC_MESSAGES=zh_CN.UTF-8 "$bin" "$@"; }

run --make-demo "$work/data"
shot() { # NAME ARGS...
	local name=$1
	shift
	run --screenshot "$out/$name.png" "$@"
	echo "wrote $out/$name.png"
}
for tab in facilities capacity persons population indicators; do
	shot "$tab" --data "$work/data" --tab "$tab"
done
shot sync --data "$work/data" --tab sync --scenario parked
# Validation shown beside the fields, in Chinese.
shot facilities-invalid --data "$work/data" --tab facilities --scenario invalid-facility
shot capacity-invalid --data "$work/data" --tab capacity --scenario invalid-capacity
shot persons-invalid --data "$work/data" --tab persons --scenario invalid-person
# First run: the data folder (a HOME without the app's preferences), then
# choosing the township, enrolling or starting offline.
mkdir -p "$work/home" "$work/new"
HOME="$work/home" shot first-run-folder
shot first-run --data "$work/new"
