# The two commands a newcomer needs:  make book   (build the site)   and   make test   (run every test).
# Both create the virtual environment in .venv on first use (python3 3.11+, make, Node.js and npm).
# `make` alone lists every target.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000
.DEFAULT_GOAL := help

# The pinned numerical platform (numerics.env; the README says why). Assignments here override
# whatever the calling shell exports, and every command below inherits them. On ARM only the
# thread settings apply.
ifeq ($(shell uname -m),x86_64)
include numerics.env
export OPENBLAS_CORETYPE NPY_ENABLE_CPU_FEATURES NPY_DISABLE_CPU_FEATURES
else
OPENBLAS_NUM_THREADS := $(shell sed -n 's/^OPENBLAS_NUM_THREADS *= *//p' numerics.env)
OMP_NUM_THREADS := $(shell sed -n 's/^OMP_NUM_THREADS *= *//p' numerics.env)
endif
export OPENBLAS_NUM_THREADS OMP_NUM_THREADS

# What `make test` adds to plain pytest: two workers (each file's tests, so each notebook's cells, on
# one worker: nbval runs one kernel per notebook), strict
# nbval of every chapter in the pinned "vaebook" kernel, the one sanitizer, no cache folder.
PYTEST_ARGS := -n 2 --dist loadfile --nbval --nbval-kernel-name vaebook \
               --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

# `make check` (ARM): the same, but nbval's lax mode: every cell of every chapter still executes in
# the "vaebook" kernel and an exception or a failed assert still fails, but no stored output is
# compared (digits may differ on another CPU). tests/test_hygiene.py holds this with `make -n check`.
CHECK_ARGS := $(patsubst --nbval,--nbval-lax,$(PYTEST_ARGS))
# `make unit`: the library, validation and Node tests only (no chapter, no book build, no browser)
UNIT_MARKERS := not browser and not notebook and not slow

.PHONY: help env lock vendor book serve test unit lint check lab notebooks bench bench-mutation clean

## help: list the targets (the default goal)
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## env: create .venv with the exact versions of requirements.lock and the pinned "vaebook" kernel
env: $(STAMP)
$(STAMP): requirements.txt requirements.lock pyproject.toml numerics.env scripts/numerics.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian/Ubuntu, install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -r requirements.txt
	$(PY) scripts/numerics.py install-kernel --sys-prefix
	touch $(STAMP)

## lock: regenerate requirements.lock from the ranges in requirements.txt (needs uv: pip install uv)
lock:
	$(if $(wildcard $(VENV)/bin/uv),$(VENV)/bin/uv,uv) pip compile requirements.txt --universal --python-version 3.11 --no-emit-package vaebook \
	    --custom-compile-command "make lock" -o requirements.lock

## vendor: the site's browser assets (the fonts of the math, typeset at build time), from npm
##         (package-lock.json, `npm ci`) and the installed Python packages, into _site_assets/
NPM_STAMP    := node_modules/.npm-ci-stamp
VENDOR_STAMP := _site_assets/_vendor/versions.json
vendor: $(VENDOR_STAMP)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)
$(VENDOR_STAMP): $(STAMP) $(NPM_STAMP) scripts/vendor_assets.py
	$(PY) scripts/vendor_assets.py

## book: build the static site into _build/html (cached: only changed notebooks re-execute)
book: env vendor
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Site built: open _build/html/index.html, or run 'make serve' for http://127.0.0.1:$(PORT)"

## serve: build, then serve the site on http://127.0.0.1:$(PORT)
serve: book
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 $(PORT)

## test: every test: the linter, library, strict nbval of every chapter, every chapter under a
##       foreign platform, the book build, the browser tests
test: env vendor
	$(PY) -m pytest $(PYTEST_ARGS) $(ARGS)

## unit: the fast tier for the edit loop: library, validation, lint and Node tests (under a minute)
unit: env
	$(PY) -m pytest -n 2 -p no:cacheprovider -m "$(UNIT_MARKERS)" tests $(ARGS)

## lint: ruff (configured in pyproject.toml) over the library, tests, scripts and benchmarks
lint: env
	$(PY) -m ruff check .

## check: `make test` for ARM machines: every chapter executes with every assert, but no stored
##        output is compared (nbval --nbval-lax), since digits may differ on another CPU
check: env vendor
	$(PY) -m pytest $(CHECK_ARGS) $(ARGS)

## lab: JupyterLab on the chapters (pinned kernel, MyST rendering, live widgets)
lab: env
	$(VENV)/bin/jupyter lab book/

## notebooks: re-execute every chapter in place and store its outputs (NB=book/03_kl_elbo.ipynb for one)
notebooks: env
	$(PY) scripts/execute_notebooks.py $(NB)

## bench: the speed and page-weight benchmarks (each prints its figures; see benchmarks/README.md)
bench: book
	$(PY) benchmarks/bench_train.py
	$(PY) benchmarks/bench_widgets.py --site _build/html

## bench-mutation: mutation testing of the core and estimator modules (mutmut; prints the score)
bench-mutation: env
	$(PY) benchmarks/bench_mutation.py

## clean: remove the built site, its cache and the vendored assets
clean:
	rm -rf _build _site_assets
