# Two commands do all set-up on a fresh machine:
#   make demo   create the virtual environment, install, run `renewal demo` on the bundled sample site
#   make test   create the virtual environment, install, run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench sample clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,dxf,batch]"
	touch $@

install: $(VENV)/.installed

# The sample site has failing checks by design, so exit status 1 (some checks fail) is success here.
demo: install
	$(BIN)/renewal demo --out out/demo || [ $$? -eq 1 ]
	@echo "Review package: out/demo/ (report.html, results.gpkg)"

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

sample: install
	$(BIN)/python data/sample/make_sample.py

clean:
	rm -rf out .pytest_cache
