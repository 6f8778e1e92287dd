# The two commands a newcomer needs:  make book   (build the site)   and   make test   (run every test).
# Both create the virtual environment in .venv on first use (only python3 is required).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000
# One BLAS thread per process: the book's matrices are small, and on 2 cores shared by two test
# workers, OpenBLAS's threads only contend (the digits model trains 10x slower with them).
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

.PHONY: env vendor book serve test lab notebooks bench clean
env: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## make vendor: the site's browser assets (MathJax, require.js, widget manager, anywidget), copied
## from npm (package-lock.json, `npm ci`) and the installed Python packages into _site_assets/,
## which the site serves itself: no CDN at reading time (scripts/vendor_assets.py)
NPM_STAMP    := node_modules/.npm-ci-stamp
VENDOR_STAMP := _site_assets/_vendor/versions.json
vendor: $(VENDOR_STAMP)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)
$(VENDOR_STAMP): $(STAMP) $(NPM_STAMP) scripts/vendor_assets.py site/widgets-config.js
	$(PY) scripts/vendor_assets.py

## make book: build the static site into _build/html (cached: only changed notebooks re-execute)
book: env vendor
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Site built: open _build/html/index.html, or run 'make serve' for http://127.0.0.1:$(PORT)"

## make serve: build, then serve the site on http://127.0.0.1:$(PORT)
serve: book
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 $(PORT)

## make test: unit tests, strict nbval of every chapter, and a full clean build of the book
test: env vendor
	$(PY) -m pytest

## make lab: JupyterLab on the chapters, with live widgets
lab: env
	$(VENV)/bin/jupyter lab book/

## make notebooks: re-execute every chapter in place and store its outputs (after editing one)
notebooks: env
	$(PY) scripts/execute_notebooks.py

## make bench: print the speed figures
bench: env
	$(PY) benchmarks/bench_train.py

clean:
	rm -rf _build _site_assets
