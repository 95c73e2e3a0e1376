# bianmin — the two commands a person needs: `make run` and `make test`.
# Everything else (deps, build, bench, fuzz) is reachable from here too.
# Dependencies come from Debian packages via scripts/install-deps.

JOBS   ?= $(shell nproc)
DB     ?= sqlite:var/bianmin.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build build-test build-fuzz run test fuzz bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j$(JOBS)

build-test: deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DBIANMIN_SANITIZE=ON >/dev/null
	@cmake --build build-test -j$(JOBS)

# Create the database (with demo data) on first run, upgrade it otherwise,
# then serve on $(LISTEN) until Ctrl-C.
run: build
	@mkdir -p var
	@if [ "$(DB)" = "sqlite:var/bianmin.db" ] && [ ! -f var/bianmin.db ]; then \
	  ./build/bianmin --db $(DB) init --demo; \
	else ./build/bianmin --db $(DB) init; fi
	@echo "bianmin 正在 http://$(LISTEN)/ 上服务（Ctrl-C 停止）"
	@./build/bianmin --db $(DB) --listen $(LISTEN) serve

# Unit tests, store tests on SQLite and on a throwaway PostgreSQL cluster,
# and black-box API tests against a running (sanitized) server on both.
# The release build is compiled too, so that `make run` is known to build.
test: build build-test build-fuzz
	@scripts/run-tests

# libFuzzer targets (clang; fuzz/README.md). `make fuzz` runs each for
# FUZZ_SECONDS (default 60); `make test` runs each for 8 s.
FUZZ_SECONDS ?= 60
build-fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DBIANMIN_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

fuzz: build-fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

bench: build
	@bench/run

clean:
	rm -rf build build-test build-fuzz
