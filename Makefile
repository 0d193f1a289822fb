# grpotop: `make run` trains with the dashboard on the shipped defaults; `make test` runs
# every test. Both install the system packages they need first, when they are missing.

SWIFT       ?= swift
APT_PACKAGES = libopenblas-dev libncursesw5-dev libpng-dev tmux pkg-config unifont python3
# Tests build in release (numeric code runs 35-290x slower in debug) in their own scratch
# path, so `make run`'s release build and the test build never evict each other.
TEST_SCRATCH = .build-test

.PHONY: deps build test run bench screenshots clean

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
	python3 -m unittest discover -s clients/python -p 'test_*.py'
	$(SWIFT) test -c release --scratch-path $(TEST_SCRATCH)

run: build
	.build/release/grpotop

bench: build
	.build/release/grpotop bench engine

# screenshots/<name>.png: the dashboard over each recorded run at 160×48 with the default
# theme, drawn by grpotop itself (8×16 px a cell, Unifont). A run missing from $(RUNS) is
# recorded first: a headless training of as many iterations as its name says (<name>-300:
# 300, about half an hour each on one core), evaluated every 100.
RUNS             ?= runs
SCREENSHOT_RUNS   = adv-300:adv-grpo pref-300:pref-grpo flow-300:flow-grpo style-600:style-grpo
SCREENSHOT_SIZE  ?= 160x48

screenshots: build
	@mkdir -p screenshots
	@for pair in $(SCREENSHOT_RUNS); do \
	  name=$${pair%%:*}; alg=$${pair#*:}; \
	  if [ ! -f $(RUNS)/$$name/events.jsonl ]; then \
	    iterations=$${name##*-}; \
	    echo "recording $(RUNS)/$$name (Configs/$$alg.yaml, $$iterations iterations)"; \
	    .build/release/grpotop train --headless --config Configs/$$alg.yaml --set iterations=$$iterations \
	      --set eval.every=100 --run-dir $(RUNS)/$$name || exit 1; \
	  fi; \
	  .build/release/grpotop snapshot $(RUNS)/$$name --out screenshots/$$name.png \
	    --size $(SCREENSHOT_SIZE) --theme default || exit 1; \
	done

clean:
	rm -rf .build $(TEST_SCRATCH)
