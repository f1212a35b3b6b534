# photoaudit: `make demo` sets up and audits the bundled demo setting (children and staff); `make test` sets up and runs the tests;
# `make lint` runs ruff and mypy; `make docs` writes the command reference (docs/commands.md);
# `make bench` measures speed and recall against the face_recognition CLI.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup install-command browser strace demo test lint docs bench clean

setup: $(STAMP)

# dlib-bin is a prebuilt dlib wheel, so nothing is compiled (about a minute, not ~8).
# face-recognition itself is installed without its dependencies, because it asks for
# `dlib`, which pip would compile from source; dlib-bin provides the same module.
# setuptools<81 still ships pkg_resources, which face_recognition_models imports
# (photoaudit itself finds the model files without it); click is the CLI's one other need.
# The editable install leaves photoaudit uncompiled; compileall writes its bytecode now, as a
# normal install would, so no command compiles it at start-up (where PYTHONDONTWRITEBYTECODE is
# set it would otherwise be compiled again by every run).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	$(BIN)/python -m pip install --quiet --no-deps 'face-recognition==1.3.0' 'setuptools<81' 'click>=7'
	$(BIN)/python -m compileall -q photoaudit
	touch $(STAMP)

# Puts the photoaudit command on the PATH: a link to .venv/bin/photoaudit in ~/.local/bin
# (BINDIR=/another/folder for elsewhere), so `photoaudit ...` works in every new terminal.
BINDIR ?= $(HOME)/.local/bin
install-command: $(STAMP)
	@mkdir -p "$(BINDIR)"
	@ln -sf "$(abspath $(BIN))/photoaudit" "$(BINDIR)/photoaudit"
	@case ":$$PATH:" in \
	  *":$(BINDIR):"*) echo "photoaudit is on your PATH now: $(BINDIR)/photoaudit (try: photoaudit doctor)";; \
	  *) echo "Linked $(BINDIR)/photoaudit, but $(BINDIR) is not on your PATH. Add it (then open a new terminal):"; \
	     echo "  echo 'export PATH=\"$(BINDIR):\$$PATH\"' >> ~/.profile";; \
	esac

# The demo in ./demo (photoaudit demo: build, enrol, audit; it says what to look at). A folder
# `demo` that photoaudit demo did not make is refused, never overwritten.
demo: setup
	$(BIN)/photoaudit demo demo

# The HTML report is tested in a real browser: Debian's chromium, installed here when it is
# missing and we can (root with apt-get, as on CI). Otherwise that test is skipped and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium for the HTML report's browser test (apt-get)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends chromium fonts-liberation >/dev/null; } \
	      || echo "Could not install chromium: the browser test will be skipped."; \
	  else \
	    echo "chromium is not installed and cannot be here (needs root and apt-get): the browser test will be skipped."; \
	  fi; }

# The test that nothing leaves this computer runs an audit under strace (every socket, connect
# and DNS lookup of every process): Debian's strace, installed here like chromium above when it is
# missing and we can. Otherwise that test is skipped and says why.
strace:
	@command -v strace >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing strace for the test that nothing leaves this computer (apt-get)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends strace >/dev/null; } \
	      || echo "Could not install strace: the network test will be skipped."; \
	  else \
	    echo "strace is not installed and cannot be here (needs root and apt-get): the network test will be skipped."; \
	  fi; }

test: setup browser strace
	$(BIN)/python -m pytest

# The command reference, docs/commands.md, written from the command line itself (every command's
# -h, 80 columns, no colour). tests/test_command_reference.py fails when it is out of date.
docs: setup
	$(BIN)/python scripts/command_reference.py

# ruff (pyflakes, import order, pyupgrade, bugbear) and mypy (strict on photoaudit/core, the
# default level elsewhere): both configured in pyproject.toml, both pinned in its `lint` extra.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Speed and recall against the face_recognition CLI (about 14 min on 2 cores); not part of `make test`.
# Writes bench/out/ and the table in docs/benchmarks.md. A venv made before click was added gets it here.
bench: setup
	@$(BIN)/python -c "import click" 2>/dev/null || $(BIN)/python -m pip install --quiet --no-deps 'click>=7'
	$(BIN)/python -m compileall -q photoaudit
	$(BIN)/python -m bench.run --write-docs docs/benchmarks.md

clean:
	rm -rf $(VENV) demo
