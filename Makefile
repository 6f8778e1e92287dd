# The two commands a newcomer needs:  make book   (build the site)   and   make test   (run every test).
# Both create the virtual environment in .venv on first use (only python3 is required).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: env book serve test lab notebooks bench clean
env: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## make book: build the static site into _build/html (cached: only changed notebooks re-execute)
book: env
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Site built: open _build/html/index.html, or run 'make serve' for http://127.0.0.1:$(PORT)"

## make serve: build, then serve the site on http://127.0.0.1:$(PORT)
serve: book
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 $(PORT)

## make test: unit tests, strict nbval of every chapter, and a full clean build of the book
test: env
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
	rm -rf _build
