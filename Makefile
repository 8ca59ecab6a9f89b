# Laoxiao build. Every target installs what a bare Debian machine lacks first,
# and only when it is missing (scripts/install-deps.sh).
SHELL := /bin/bash
GO    ?= go
BIN   := bin
# Tests of sync under faults and the crash tests start processes and servers;
# give the whole suite room on a 2-core machine.
TEST_TIMEOUT ?= 30m

.PHONY: all deps build test vet bench demo desktop screenshots fuzz clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	$(GO) build -o $(BIN)/ ./cmd/...

vet: deps
	$(GO) vet ./...

# The README's test command: every test, race detector on.
test: deps vet
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

# One line per figure: NAME VALUE UNIT.
bench: build
	@$(BIN)/bench

# The main job on the embedded default.
demo: build
	@$(BIN)/demo --out demo-out --work demo-data

# Runs the desktop app against a data folder (asks for one on first run).
desktop: build
	$(BIN)/desktop

# Fuzz the wire decoder for a minute; new corpus entries land in schema/testdata.
fuzz:
	$(GO) test ./schema/ -run '^$$' -fuzz FuzzDecodeMsg -fuzztime 60s

clean:
	rm -rf $(BIN) demo-out demo-data
