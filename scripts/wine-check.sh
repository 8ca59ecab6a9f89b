#!/usr/bin/env bash
# A manual check of the Windows build on Linux, with Wine under Xvfb
# (`make dist-check`). Not part of `make test`: Wine takes a while to make a
# prefix, and whether a GL program draws under it depends on Wine and Mesa,
# so it is neither fast nor something a test should rest on. It:
#
#   1. installs laoxiao-setup.exe silently (/S) into a fresh Wine prefix and
#      checks the files, both shortcuts and the uninstall entry;
#   2. runs the installed agent (`laoxiao-agent.exe help`);
#   3. starts the installed desktop app as a first run would, waits for its
#      window and saves the whole screen as a PNG
#      (docs/screenshots/windows-wine.png, or $WINE_SHOT);
#   4. makes a demo data folder with the installed app (--make-demo), opens
#      it on the 床位/托位 tab and saves the screen again
#      (windows-wine-capacity.png beside the first);
#   5. uninstalls silently and checks the files are gone and the data kept.
#
#   scripts/wine-check.sh [DIST_DIR]
#
# It builds DIST_DIR (default dist) with scripts/dist.sh if the installer is
# missing, and installs wine64 from Debian if it is missing. Everything Wine
# writes (prefix, home, menus) stays in a temporary folder.
#
# Two things are set up in the prefix that a real Windows 10/11 already has:
# Windows 10 as the reported version (Debian's Wine 8 says Windows 7, which
# the installer refuses, as it should), and bcryptprimitives.dll, which every
# Go program since Go 1.22 needs and Wine 8.0 lacks (scripts/wine/).
set -euo pipefail
cd "$(dirname "$0")/.."

dist=${1:-${DIST_DIR:-dist}}
shot=${WINE_SHOT:-docs/screenshots/windows-wine.png}
wait_s=${WINE_WAIT:-30}
[[ -f "$dist/laoxiao-setup.exe" ]] || bash scripts/dist.sh "$dist"
setup=$(cd "$dist" && pwd)/laoxiao-setup.exe
mkdir -p "$(dirname "$shot")"
shot=$(cd "$(dirname "$shot")" && pwd)/$(basename "$shot")

if ! command -v wine64 >/dev/null 2>&1 && [[ ! -x /usr/lib/wine/wine64 ]]; then
	echo "wine-check: installing wine64" >&2
	SUDO=""
	if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends wine64 >/dev/null
fi
# Debian puts wine64 outside PATH unless the wine package is there too.
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)

work=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
	if [[ -n "$app_pid" ]]; then kill "$app_pid" 2>/dev/null || true; fi
	# wineserver -k ends the processes of the prefix WINEPREFIX names:
	# this script's own, nothing else.
	if [[ -d "$work/prefix" ]]; then WINEPREFIX="$work/prefix" "$wineserver" -k 2>/dev/null || true; fi
	if [[ -n "$xvfb_pid" ]]; then kill "$xvfb_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# Built before HOME moves below, so it comes from the usual build cache.
go build -o "$work/xwd2png" scripts/xwd2png.go
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$work/bcryptprimitives.dll" \
	scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -lbcrypt

# A display of our own: -displayfd picks a free number and tells us which;
# -fbdir keeps the screen in a file we can read whatever the program does.
# A little larger than the app's 1280×800 window, which Wine places below
# where a title bar would be.
Xvfb -displayfd 3 -screen 0 1300x840x24 -fbdir "$work" -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [[ -s "$work/display" ]] && break; sleep 0.1; done
[[ -s "$work/display" ]] || { echo "wine-check: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(cat "$work/display")"

mkdir -p "$work/home"
export HOME="$work/home" WINEPREFIX="$work/prefix" WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko download prompts (there is no network for them), and no
# Linux menu entries made from the installer's shortcuts.
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"

t0=$SECONDS
step() { echo "wine-check [$((SECONDS - t0))s]: $*" >&2; }
fail() { echo "wine-check: FAIL: $*" >&2; exit 1; }

step "making a Wine prefix ($("$wine" --version))"
timeout 300 "$wine" wineboot --init >"$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log" >&2; fail "wineboot"; }
"$wineserver" -w
timeout 60 "$wine" winecfg -v win10
"$wineserver" -w
sys32="$WINEPREFIX/drive_c/windows/system32"
if [[ ! -f "$sys32/bcryptprimitives.dll" ]]; then
	step "this Wine has no bcryptprimitives.dll: adding the stand-in from scripts/wine/"
	cp "$work/bcryptprimitives.dll" "$sys32/"
fi

step "installing laoxiao-setup.exe /S"
timeout 300 "$wine" "$setup" /S >"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; fail "installer exited with an error"; }
"$wineserver" -w
user=$(id -un)
profile="$WINEPREFIX/drive_c/users/$user"
inst="$profile/AppData/Local/Programs/Laoxiao"
for f in laoxiao-desktop.exe laoxiao-agent.exe FONT-LICENSE.txt uninstall.exe; do
	[[ -f "$inst/$f" ]] || fail "installer did not write $inst/$f"
done
name="老小 · 一老一小数据采集.lnk"
startmenu="$profile/AppData/Roaming/Microsoft/Windows/Start Menu/Programs"
[[ -f "$startmenu/$name" ]] || fail "no Start-menu shortcut $startmenu/$name"
# Wine maps the Windows desktop folder onto a Linux one ($HOME, or
# $HOME/Desktop when that exists); the profile's Desktop is the link.
desktop_dir=$(readlink -f "$profile/Desktop")
[[ -f "$desktop_dir/$name" ]] || fail "no desktop shortcut in $desktop_dir"
# user.reg keeps strings as \x escapes of UTF-16, so look for the key and
# the uninstaller rather than the Chinese name.
timeout 60 "$wine" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Laoxiao' >"$work/reg.txt" 2>&1 ||
	{ cat "$work/reg.txt" >&2; fail "no uninstall entry"; }
grep -q 'UninstallString.*uninstall.exe' "$work/reg.txt" || fail "uninstall entry has no UninstallString"
step "installed: files, Start-menu and desktop shortcuts, uninstall entry"

step "laoxiao-agent.exe help"
timeout 60 "$wine" "$inst/laoxiao-agent.exe" help >"$work/agent.txt" 2>&1 || { cat "$work/agent.txt" >&2; fail "agent help"; }
grep -q '用法' "$work/agent.txt" || fail "agent help printed no usage"

# show PNG ARGS...: starts the installed app with ARGS, waits for its
# window and saves the whole screen as PNG. The screen, not the app's own
# capture: the shipped app has no screenshot code, and this also shows
# whatever Wine itself might put up instead (an error box, a blank window).
show() {
	local png=$1
	shift
	step "starting laoxiao-desktop.exe${*:+ $*} and waiting ${wait_s}s for its window"
	# LANG picks Fyne's Chinese words, as a Chinese Windows would.
	LANG=zh_CN.UTF-8 "$wine" "$inst/laoxiao-desktop.exe" "$@" >"$work/desktop.log" 2>&1 &
	app_pid=$!
	sleep "$wait_s"
	if ! kill -0 "$app_pid" 2>/dev/null; then
		wait "$app_pid" && rc=0 || rc=$?
		app_pid=""
		echo "--- desktop output ---" >&2
		cat "$work/desktop.log" >&2
		fail "laoxiao-desktop.exe exited (status $rc) before the screenshot"
	fi
	"$work/xwd2png" "$work/Xvfb_screen0" "$png"
	step "screen saved to $png"
	if [[ -s "$work/desktop.log" ]]; then
		echo "--- desktop output ---" >&2
		cat "$work/desktop.log" >&2
	fi
	"$wineserver" -k || true
	wait "$app_pid" 2>/dev/null || true
	app_pid=""
}

# A first run: no data folder chosen yet, so the app asks for one.
show "$shot"

step "laoxiao-desktop.exe --make-demo, then the 床位/托位 tab on that data"
timeout 120 "$wine" "$inst/laoxiao-desktop.exe" --make-demo 'C:\laoxiao-demo' >"$work/demo.log" 2>&1 ||
	{ cat "$work/demo.log" >&2; fail "--make-demo"; }
show "$(dirname "$shot")/$(basename "$shot" .png)-capacity.png" --data 'C:\laoxiao-demo' --tab capacity

step "uninstalling"
# The first run above stops at choosing the data folder, so put something
# where the data would be: the uninstaller must leave it.
data="$profile/laoxiao-data"
mkdir -p "$data" && echo keep >"$data/keep.txt"
timeout 120 "$wine" "$inst/uninstall.exe" /S >"$work/uninstall.log" 2>&1 || { cat "$work/uninstall.log" >&2; fail "uninstaller exited with an error"; }
# The uninstaller copies itself to a temporary file and runs from there;
# wait for that copy too.
"$wineserver" -w
[[ ! -e "$inst/laoxiao-desktop.exe" ]] || fail "uninstaller left laoxiao-desktop.exe"
[[ ! -e "$startmenu/$name" ]] || fail "uninstaller left the Start-menu shortcut"
[[ ! -e "$desktop_dir/$name" ]] || fail "uninstaller left the desktop shortcut"
if timeout 60 "$wine" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Laoxiao' >/dev/null 2>&1; then
	fail "uninstaller left the uninstall entry"
fi
[[ -f "$data/keep.txt" ]] || fail "uninstaller removed the data folder"
step "uninstalled; the data folder is kept"
step "OK"
