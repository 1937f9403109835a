# Two entry points that do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# every extra the test suite needs (torch stays pinned ==2.13.0 through the dl extra)
EXTRAS ?= test,ml,dl,chem,qm,md

.PHONY: install run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/nanomed run examples/scenarios --out out/run
	$(VENV)/bin/nanomed release fit examples/release/bannigan_subset.csv --time-unit day --out out/release
	$(VENV)/bin/nanomed calibrate examples/calibration/nano_tumor_74.csv examples/calibration/nano_tumor_74.yaml \
		--fit nano.tumour.kmax=0.3:0.001:50 --fit nano.tumour.krelease=0.1:0.0001:10 --out out/calibration
	$(PY) examples/scripts/forecast_unseen_groups.py out/ai
	$(VENV)/bin/nanomed train bannigan_zero_shot --model molecular_higuchi_random_forest --out out/ai/design_model.npz
	$(VENV)/bin/nanomed predict examples/ai/new_designs.csv --model out/ai/design_model.npz --std --out out/ai/new_designs.csv
	$(VENV)/bin/nanomed explain out/ai/design_model.npz examples/ai/new_designs.csv --out out/ai/design_shap.png

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks examples
	$(VENV)/bin/ruff check --fix src tests benchmarks examples

test: lint
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) benchmarks/release_fit.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
