# Laoxiao build. Every target installs what a bare Debian machine lacks first,
# and only when it is missing (scripts/install-deps.sh).
SHELL := /bin/bash
GO    ?= go
BIN   := bin
# Tests of sync under faults and the crash tests start processes and servers;
# give the whole suite room on a 2-core machine.
TEST_TIMEOUT ?= 30m

.PHONY: all deps build test vet bench demo serve desktop screenshots fuzz dist dist-check clean

all: build

deps:
	@bash scripts/install-deps.sh

# The desktop's build tags (cmd/desktop/buildtags) change only Fyne.
build: deps
	$(GO) build -tags "$(shell cat cmd/desktop/buildtags)" -o $(BIN)/ ./cmd/...

vet: deps
	$(GO) vet ./...

# The README's test command: every test, race detector on.
test: deps vet
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

# One line per figure: NAME VALUE UNIT. The desktop figures come from the
# real app under Xvfb on a 100,000-record store.
bench: build
	@$(BIN)/bench
	@bash scripts/desktop-probe.sh

# The main job on the embedded default.
demo: build
	@$(BIN)/demo --out demo-out --work demo-data

# Serves what `make demo` left in demo-data: sync on 127.0.0.1:8470 and the
# office console on http://127.0.0.1:8471/ (the accounts make demo printed).
serve: build
	@test -d demo-data/server || { echo "run make demo first: it makes demo-data/server" >&2; exit 1; }
	$(BIN)/syncserver serve --data demo-data/server --key-file demo-out/server.key --listen 127.0.0.1:8470 --console 127.0.0.1:8471

# Runs the desktop app against a data folder (asks for one on first run).
# LC_MESSAGES keeps Fyne from logging a locale error under LANG=C.UTF-8.
desktop: build
	LC_MESSAGES=zh_CN.UTF-8 $(BIN)/desktop

# A PNG of every tab of the real app under Xvfb, into docs/screenshots/.
screenshots: build
	@bash scripts/screenshots.sh

# Fuzz the wire decoder for a minute; new corpus entries land in schema/testdata.
# go test fuzzes one target per run: the wire decoder, then the in-place
# reader of stored records the indicator engine scans with.
fuzz:
	$(GO) test ./schema/ -run '^$$' -fuzz '^FuzzDecodeMsg$$' -fuzztime 30s
	$(GO) test ./schema/ -run '^$$' -fuzz '^FuzzRecordView$$' -fuzztime 30s

# What a township laptop installs, into dist/: the Windows app and agent,
# their per-user installer, a Linux .deb and tarball (scripts/dist.sh; it
# installs mingw-w64 and NSIS first when they are missing).
dist: deps
	@bash scripts/dist.sh dist

# A manual check, not part of `test`: installs dist/laoxiao-setup.exe under
# Wine on its own Xvfb display, starts the app, saves
# docs/screenshots/windows-wine.png and uninstalls (scripts/wine-check.sh).
dist-check: dist
	@bash scripts/wine-check.sh dist

clean:
	rm -rf $(BIN) demo-out demo-data dist
