# Joined Up London. `make run` starts the app; `make test` runs every test.
# The data build needs the raw inputs: export GEODATA_SOURCE=/path/to/shared/geodata

PY := .venv/bin/python
VENV_STAMP := .venv/.installed
LINT_STAMP := .venv/.lint-installed
BENCH_STAMP := .venv/.bench-installed
ASSETS_STAMP := static/vendor/.installed
GEOPACKAGE := geodata/london.gpkg
# The port the app listens on: `make run PORT=8502`.
PORT ?= 8501

# A failed build must not leave a half-written geopackage that looks up to date.
.DELETE_ON_ERROR:
.PHONY: venv assets setup data docs run workshop workshop-gzip frontend moderator erase-contact clear-sign-in test \
	test-fast bench \
	check lint format

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet '.[test]'
	touch $@

# Leaflet (and jQuery, which folium popups use) served by the app itself, so maps
# draw at a venue with no internet. Versions are pinned by assets/package-lock.json.
assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): assets/package.json assets/package-lock.json
	npm ci --prefix assets --no-audit --no-fund --loglevel=error
	rm -rf static/vendor
	mkdir -p static/vendor/leaflet static/vendor/jquery
	cp assets/node_modules/leaflet/dist/leaflet.js assets/node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
	cp -r assets/node_modules/leaflet/dist/images static/vendor/leaflet/
	cp assets/node_modules/jquery/dist/jquery.min.js static/vendor/jquery/
	touch $@

define build_geopackage
	@test -n "$(GEODATA_SOURCE)" || { echo "GEODATA_SOURCE is not set: export GEODATA_SOURCE=/path/to/shared/geodata (the folder of raw inputs)" >&2; exit 1; }
	$(PY) -m lib.build --source "$(GEODATA_SOURCE)" --out $(GEOPACKAGE)
endef

# `make data` always rebuilds; other targets build the geopackage only when it is
# missing or the build code changed.
data: venv
	$(build_geopackage)

$(GEOPACKAGE): $(wildcard lib/build/*.py lib/build/*.csv lib/vocab/*.py) | $(VENV_STAMP)
	$(build_geopackage)

# Everything `make run` needs, without starting the app (before several instances start).
setup: venv assets $(GEOPACKAGE)

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Workshop mode: listen on every network interface so phones on the same Wi-Fi (or the
# laptop's hotspot) can open it; no internet needed. README: "Running a workshop".
workshop: setup
	JOINED_UP_BASEMAP=none $(PY) -m streamlit run app.py --server.address 0.0.0.0 --server.port $(PORT)

# The same behind nginx (if installed) serving Streamlit's frontend from build/frontend and
# compressing the rest: a phone's first visit to the explorer about 1.4 MB instead of 5.1 MB
# (bench/README.md, "First visit"). README: "Running a workshop".
workshop-gzip: setup
	bash deploy/workshop_gzip.sh $(PY) $(PORT)

# build/frontend (deploy/frontend.py): Streamlit's frontend with its icon font cut to the icons
# the app can show and its files gzipped at their smallest, made once per Streamlit version
# (2-3 minutes; workshop-gzip makes it when it is missing or out of date).
frontend: venv
	$(PY) -m deploy.frontend build/frontend

# The contributions store's accounts and erasures (lib/store/__main__.py), in the venv.
moderator: venv
	@test -n "$(NAME)" || { echo "Name the moderator: make moderator NAME=alice" >&2; exit 2; }
	$(PY) -m lib.store create-moderator "$(NAME)"

erase-contact: venv
	@[ -n "$(ID)" ] && [ -n "$(BY)" ] || { echo "make erase-contact ID=<report id> BY=<moderator>" >&2; exit 2; }
	$(PY) -m lib.store erase-contact "$(ID)" --by "$(BY)"

# A moderator's name slowed by wrong passwords (or an address refused) signs in again at once.
clear-sign-in: venv
	@test -n "$(NAME)" || { echo "make clear-sign-in NAME=alice [ADDRESS=203.0.113.5]" >&2; exit 2; }
	$(PY) -m lib.store clear-sign-in "$(NAME)" $(if $(ADDRESS),--address "$(ADDRESS)")

# The data dictionary, made from the one schema the build writes into the GeoPackage.
docs: venv
	$(PY) -m lib.vocab.schema > docs/DATA.md

# Both cores: integration and page tests share one data build per worker.
test: venv assets $(GEOPACKAGE)
	$(PY) -m pytest -n 2

# The unit layer only: tiny fixtures made in code, no data build, no browser.
test-fast: venv
	env -u GEODATA_SOURCE $(PY) -m pytest -n 2 -m "not e2e and not integration" --ignore=tests/e2e

# Benchmarks print figures; run from the root so they can import lib (and bench/app_server.py,
# the app launcher they and tests/e2e share).
bench: $(BENCH_STAMP) $(GEOPACKAGE)
	@for script in $(filter-out bench/app_server.py,$(wildcard bench/*.py)); do \
		echo "== $$script"; \
		PYTHONPATH=. $(PY) $$script || exit 1; \
	done

# explore(), the map payload baseline, needs mapclassify.
$(BENCH_STAMP): $(VENV_STAMP)
	$(PY) -m pip install '.[bench]'
	touch $@

# What CI runs before the tests: lint, format, types and the import contracts.
check: $(LINT_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	.venv/bin/lint-imports

lint: $(LINT_STAMP)
	$(PY) -m ruff check .

format: $(LINT_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

$(LINT_STAMP): $(VENV_STAMP)
	$(PY) -m pip install '.[lint]'
	touch $@
