#!/usr/bin/env bash
# Installs the system packages Laoxiao needs on a bare Debian machine, and only
# those that are missing, so a warm machine pays nothing:
#   - Fyne's cgo build: OpenGL and X11 headers (libgl1-mesa-dev, xorg-dev)
#   - a virtual display for the desktop app's screenshots and start-up bench: Xvfb
#   - X input events for the real-window tests (clicks, keys, Chinese text): xdotool
#   - headless Chromium for the office console's browser tests: chromium
#   - LibreOffice Calc without a GUI, which the breakdown table's test opens the
#     XLSX with (many offices use it): libreoffice-calc-nogui, for soffice
#   - the CJK font the desktop app embeds is in the repo; fonts-droid-fallback is
#     only its source and is not needed here.
# The Go modules come through the Go toolchain itself (go build downloads them).
set -euo pipefail

need=()
have_pc() { pkg-config --exists "$@" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
have_pc gl || need+=(libgl1-mesa-dev)
have_pc x11 xrandr xcursor xinerama xi xxf86vm || need+=(xorg-dev)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
command -v chromium >/dev/null || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# PostgreSQL for the PostgreSQL store's tests, e2e and bench: each starts a
# throwaway cluster of its own (internal/pgtest); Debian keeps initdb off
# PATH, under /usr/lib/postgresql/N/bin. Installing it also starts a
# system cluster on Debian, which nothing here uses.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
