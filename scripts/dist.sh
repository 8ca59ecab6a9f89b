#!/usr/bin/env bash
# Builds what a township laptop installs, on this Debian machine, into dist/
# (or the directory given as the first argument, or $DIST_DIR):
#
#   laoxiao-desktop-windows-amd64.exe  the desktop app for Windows 10/11 (GUI subsystem: no console window)
#   agent-windows-amd64.exe            the agent command for Windows (console)
#   laoxiao-setup.exe                  per-user installer of both (NSIS; no administrator rights needed)
#   laoxiao_<version>_amd64.deb        Linux amd64 package (统信UOS, 麒麟, Debian, Ubuntu)
#   laoxiao-linux-amd64.tar.gz         the same files for machines where installing a .deb is not allowed
#
# Why these tools: the desktop app is Fyne, whose GLFW/OpenGL driver is cgo,
# so a Windows build needs a C cross compiler for Windows; Debian's mingw-w64
# is one, and Go drives it through CC. NSIS is the installer builder that runs
# on Linux (makensis) and makes a single self-contained setup.exe that needs no
# runtime on the laptop. The .deb is made with dpkg-deb, and its Depends come
# from dpkg-shlibdeps, so it names exactly the libraries the binary links.
#
# The system packages these need are installed only when missing. Go's build
# cache is reused as is (no -a, no cleaning): the first Windows build compiles
# Fyne's C parts with mingw and takes several minutes on two cores; later
# builds take seconds.
#
# `make dist` calls this script; packaging/dist_test.go calls it with a
# temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

out=${1:-${DIST_DIR:-dist}}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The Linux build needs the same OpenGL/X11 headers as `make build`.
bash scripts/install-deps.sh

need=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
command -v makensis >/dev/null 2>&1 || need+=(nsis)
command -v dpkg-shlibdeps >/dev/null 2>&1 || need+=(dpkg-dev)
if [[ ${#need[@]} -gt 0 ]]; then
	echo "dist: installing ${need[*]}" >&2
	SUDO=""
	if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A version that only grows from commit to commit, so dpkg and the Windows
# uninstall list see an upgrade; LAOXIAO_VERSION overrides it for a release.
version=${LAOXIAO_VERSION:-}
if [[ -z "$version" ]]; then
	if git rev-parse --git-dir >/dev/null 2>&1; then
		version="0.1.0+git$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M).$(git rev-parse --short=7 HEAD)"
		# Built from uncommitted changes: say so, since the commit alone
		# does not name what is inside.
		if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then version+=".dirty"; fi
	else
		version="0.1.0"
	fi
fi

t0=$SECONDS
step() { echo "dist [$((SECONDS - t0))s]: $*" >&2; }

# --- Windows ------------------------------------------------------------
# -H=windowsgui: double-clicking the app must not open a console window
# beside it. The agent is pure Go (no cgo), so it needs no C compiler and
# stays a console program.
step "windows desktop (cgo with mingw-w64)"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
	go build -tags "$(cat cmd/desktop/buildtags)" -ldflags "-H=windowsgui -s -w" -o "$out/laoxiao-desktop-windows-amd64.exe" ./cmd/desktop
step "windows agent"
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 \
	go build -ldflags "-s -w" -o "$out/agent-windows-amd64.exe" ./cmd/agent

step "windows installer (makensis)"
# -INPUTCHARSET UTF8: the script holds Chinese text and makensis would
# otherwise read it in the build machine's code page.
makensis -V2 -INPUTCHARSET UTF8 \
	-DVERSION="$version" \
	-DDIST="$out" \
	-DLICENSE_FILE="$root/desktop/theme/FONT-LICENSE" \
	-DOUTFILE="$out/laoxiao-setup.exe" \
	packaging/windows/laoxiao.nsi >&2

# --- Linux --------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The agent without cgo is a static binary: it runs on any Linux whatever
# its C library. The desktop app links glibc, libGL and X11 dynamically, as
# every OpenGL program must.
step "linux desktop"
stage="$work/laoxiao"
install -d -m 0755 "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/applications" "$stage/usr/share/doc/laoxiao"
CGO_ENABLED=1 GOOS=linux GOARCH=amd64 \
	go build -tags "$(cat cmd/desktop/buildtags)" -ldflags "-s -w" -o "$stage/usr/bin/laoxiao-desktop" ./cmd/desktop
step "linux agent"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
	go build -ldflags "-s -w" -o "$stage/usr/bin/laoxiao-agent" ./cmd/agent
chmod 0755 "$stage/usr/bin/laoxiao-desktop" "$stage/usr/bin/laoxiao-agent"
install -m 0644 packaging/linux/laoxiao.desktop "$stage/usr/share/applications/laoxiao.desktop"
install -m 0644 desktop/theme/FONT-LICENSE "$stage/usr/share/doc/laoxiao/FONT-LICENSE"

# dpkg-shlibdeps reads the libraries the binary needs (DT_NEEDED and their
# symbol versions) and maps them to the packages that provide them here,
# with the lowest versions that will do. It wants a debian/control to read.
mkdir -p "$work/src/debian"
printf 'Source: laoxiao\n\nPackage: laoxiao\nArchitecture: amd64\n' >"$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage/usr/bin/laoxiao-desktop" 2>/dev/null)
depends=${shlibs#shlibs:Depends=}
if [[ -z "$depends" || "$depends" == "$shlibs" ]]; then
	echo "dist: dpkg-shlibdeps gave no dependencies: $shlibs" >&2
	exit 1
fi

step "linux .deb ($version)"
cat >"$stage/DEBIAN/control" <<EOF
Package: laoxiao
Version: $version
Architecture: amd64
Maintainer: ${LAOXIAO_MAINTAINER:-Laoxiao <laoxiao@localhost>}
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Section: misc
Priority: optional
Description: 老小 · 一老一小数据采集 (township data collection)
 The township staff's app for the figures behind China's elderly-care and
 childcare plans: facilities, beds and childcare places, served persons and
 visits, population. Works offline and syncs with the county server.
 .
 laoxiao-desktop is the app; laoxiao-agent the same store from a terminal.
EOF
rm -f "$out"/laoxiao_*_amd64.deb
# gzip: every dpkg reads it, including the older ones of 统信UOS and 麒麟
# (zstd, today's default elsewhere, they do not), and it takes seconds where
# xz takes over a minute on two cores for 4 MiB less.
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out/laoxiao_${version}_amd64.deb" >&2

step "linux tarball"
tdir="$work/tar/laoxiao-linux-amd64"
install -d -m 0755 "$tdir"
install -m 0755 "$stage/usr/bin/laoxiao-desktop" "$stage/usr/bin/laoxiao-agent" "$tdir/"
install -m 0644 packaging/linux/laoxiao.desktop packaging/linux/README.txt desktop/theme/FONT-LICENSE "$tdir/"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/tar" \
	-czf "$out/laoxiao-linux-amd64.tar.gz" laoxiao-linux-amd64

step "done: $out"
ls -l "$out" >&2
