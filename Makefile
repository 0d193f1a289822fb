# grpotop: `make run` trains with the dashboard on the shipped defaults; `make test` runs
# every test. Both install the system packages they need first, when they are missing.

SWIFT       ?= swift
APT_PACKAGES = libopenblas-dev libncursesw5-dev libpng-dev tmux pkg-config
# Tests build in release (numeric code runs 35-290x slower in debug) in their own scratch
# path, so `make run`'s release build and the test build never evict each other.
TEST_SCRATCH = .build-test

.PHONY: deps build test run bench clean

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Only the command line and what it needs: the test helpers are left to `make test`.
build: deps
	$(SWIFT) build -c release --product grpotop

test: deps
	$(SWIFT) test -c release --scratch-path $(TEST_SCRATCH)

run: build
	.build/release/grpotop

bench: build
	.build/release/grpotop bench engine

clean:
	rm -rf .build $(TEST_SCRATCH)
