# Two commands to start:  make lab   (install, then open JupyterLab on the course)
#                         make test  (install the same environment, lint, then run every test)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
PLAYGROUND_PORT ?= 8866

.PHONY: install browser lab playground test unit lint crosscheck bench notebooks slides student grade site lock clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-lock.txt pyproject.toml config/jupyterlab-overrides.json
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else "The course needs Python 3.11, but $(PYTHON) is %d.%d. Run: make PYTHON=/path/to/python3.11 ..." % v)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c requirements-lock.txt
	$(BIN)/pip install --quiet --no-deps -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp config/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@# nbgrader is here for `make grade`; the students' JupyterLab stays as it was, without its menus
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	for e in formgrader validate_assignment assignment_list course_list; do \
	  $(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$e >/dev/null 2>&1; done
	touch $(STAMP)

# Debian's Chromium for the browser tests (a test tool never downloads a browser of its own).
# It needs root or sudo; without them the browser tests skip and say why.
CHROMIUM := /usr/bin/chromium
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then echo "Installing Debian's chromium"; $(APT_INSTALL) >/dev/null; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then echo "Installing Debian's chromium"; sudo sh -c '$(APT_INSTALL)' >/dev/null; \
	else echo "Chromium is missing and installing it needs root or sudo (apt-get install chromium): the browser tests will skip."; fi

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) notebooks/00_course_map.ipynb

# The playground without code: Voilà serves playground/ at http://localhost:8866/ (make playground PLAYGROUND_PORT=8870).
# The Voilà options live in scripts/playground.py, which the browser test uses too. No --allow-root: Voilà has no such check.
playground: $(STAMP)
	$(BIN)/python scripts/playground.py --port $(PLAYGROUND_PORT)

# Stored notebook outputs must not depend on the CPU's vector instructions, so every notebook pass runs
# with a vector path other than the one they were stored with: torch's plain path, `default`, which every
# build and every CPU has (asking for `avx2` would crash a CPU without it and make an ARM build warn).
# `make crosscheck` also runs `avx2` and this machine's own path.
TEST_CPU ?= default
test: $(STAMP) browser lint
	ATEN_CPU_CAPABILITY=$(TEST_CPU) $(BIN)/python -m pytest

# Unit tests only: no notebook runs, no browser, no full re-runs of cached results (under 2 minutes).
unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser and not notebooks and not slow"

# Lint and format (notebooks included) and type-check helpers/ and scripts/.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every notebook under nbval twice in a row on each vector path (no vector unit, AVX2, this machine's best);
# the second pass of each catches an output that changes from run to run. Ends with git status clean.
CROSSCHECK_CPUS ?= default avx2 native
crosscheck: $(STAMP)
	@for cpu in $(CROSSCHECK_CPUS); do for pass in 1 2; do \
	  echo "== notebooks under ATEN_CPU_CAPABILITY=$$cpu, pass $$pass"; \
	  if [ "$$cpu" = native ]; then env -u ATEN_CPU_CAPABILITY $(BIN)/python -m pytest notebooks -q || exit 1; \
	  else ATEN_CPU_CAPABILITY=$$cpu $(BIN)/python -m pytest notebooks -q || exit 1; fi; \
	done; done
	@git diff --quiet -- notebooks data || { echo "a notebook or a cache changed while being checked:"; git status --short -- notebooks data; exit 1; }
	@echo "crosscheck: every notebook's stored outputs held under $(CROSSCHECK_CPUS), twice each"

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# Re-run notebooks top to bottom and store their outputs: make notebooks [NB=notebooks/01_neurons.ipynb]
NB ?= notebooks/*.ipynb
notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py $(NB)

# Set slide metadata from each notebook's headings (run_notebooks.py does this too): make slides [NB=...]
slides: $(STAMP)
	$(BIN)/python scripts/slides.py $(NB)

# For instructors. The student edition: every notebook without its solutions, in build/student/ (not committed).
student: $(STAMP)
	$(BIN)/python scripts/editions.py student build/student

# Grade handed-in notebooks: make grade SUBMISSIONS=folder (one folder per student, notebooks named as in
# the course). Writes build/grades/grades.csv, totals.csv and feedback/<student>.md.
SUBMISSIONS ?= submissions
grade: $(STAMP)
	$(BIN)/python scripts/grade.py $(SUBMISSIONS) --out build/grades

# The course as a website, from the committed notebooks and their stored outputs (nothing runs):
# build/site/index.html. Serve it with `$(BIN)/python -m http.server -d build/site` and open http://localhost:8000/.
site: $(STAMP)
	$(BIN)/python scripts/site.py --out build/site

lock: $(STAMP)
	( echo "# Every package of the course environment, pinned (pip install -r requirements.txt -c requirements-lock.txt)."; \
	  echo "# Regenerate with: make lock"; \
	  $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' ) > requirements-lock.txt

clean:
	rm -rf $(VENV) build artifacts
